import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { RegisterPage } from '../features/auth/RegisterPage';
import { HubPage } from '../features/hub/HubPage';
import { MODEL_ROUTES } from '../features/hub/hub.api';
import { ModelPage } from '../features/hub/ModelPage';
import { DownloadsPage } from '../features/downloads/DownloadsPage';
import { LiveDownloadsProvider } from '../features/downloads/live-downloads';
import { ModelsPage } from '../features/models/ModelsPage';
import { LiveTrainingProvider } from '../features/training/live-training';
import { GuestOnly, RequireAuth } from './guards';
import { AppLayout } from './layout/AppLayout';
import { NotFoundPage } from './NotFoundPage';
import { SignedInEffects } from './SignedInEffects';

// Pages past the first screen load on demand, so the first visit downloads less.
const SettingsPage = lazy(() => import('../features/settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const SystemPage = lazy(() => import('../features/system/SystemPage').then((m) => ({ default: m.SystemPage })));
const DatasetsPage = lazy(() => import('../features/datasets/DatasetsPage').then((m) => ({ default: m.DatasetsPage })));
const DatasetPage = lazy(() => import('../features/datasets/DatasetPage').then((m) => ({ default: m.DatasetPage })));
const TrainingPage = lazy(() => import('../features/training/TrainingPage').then((m) => ({ default: m.TrainingPage })));
const NewTrainingPage = lazy(() => import('../features/training/NewTrainingPage').then((m) => ({ default: m.NewTrainingPage })));
const JobPage = lazy(() => import('../features/training/JobPage').then((m) => ({ default: m.JobPage })));
const PlaygroundPage = lazy(() => import('../features/playground/PlaygroundPage').then((m) => ({ default: m.PlaygroundPage })));
const InstalledModelPage = lazy(() => import('../features/models/InstalledModelPage').then((m) => ({ default: m.InstalledModelPage })));
const SpeechPage = lazy(() => import('../features/speech/SpeechPage').then((m) => ({ default: m.SpeechPage })));

export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/login"
        element={
          <GuestOnly>
            <LoginPage />
          </GuestOnly>
        }
      />
      <Route
        path="/register"
        element={
          <GuestOnly>
            <RegisterPage />
          </GuestOnly>
        }
      />
      <Route
        element={
          <RequireAuth>
            <SignedInEffects />
            <LiveDownloadsProvider>
              <LiveTrainingProvider>
                <AppLayout />
              </LiveTrainingProvider>
            </LiveDownloadsProvider>
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/hub" replace />} />
        <Route path="/hub" element={<HubPage />} />
        {MODEL_ROUTES.map((path) => (
          <Route key={path} path={path} element={<ModelPage />} />
        ))}
        <Route path="/downloads" element={<DownloadsPage />} />
        <Route path="/models" element={<ModelsPage />} />
        <Route path="/models/:id" element={<InstalledModelPage />} />
        <Route path="/datasets" element={<DatasetsPage />} />
        <Route path="/datasets/:id" element={<DatasetPage />} />
        <Route path="/training" element={<TrainingPage />} />
        <Route path="/training/new" element={<NewTrainingPage />} />
        <Route path="/training/:id" element={<JobPage />} />
        <Route path="/playground" element={<PlaygroundPage />} />
        <Route path="/speech" element={<SpeechPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/system" element={<SystemPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
