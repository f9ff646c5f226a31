import { Navigate, Route, Routes } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { RegisterPage } from '../features/auth/RegisterPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { SystemPage } from '../features/system/SystemPage';
import { HubPage } from '../features/hub/HubPage';
import { ModelPage } from '../features/hub/ModelPage';
import { DownloadsPage } from '../features/downloads/DownloadsPage';
import { LiveDownloadsProvider } from '../features/downloads/live-downloads';
import { ModelsPage } from '../features/models/ModelsPage';
import { DatasetsPage } from '../features/datasets/DatasetsPage';
import { DatasetPage } from '../features/datasets/DatasetPage';
import { TrainingPage } from '../features/training/TrainingPage';
import { NewTrainingPage } from '../features/training/NewTrainingPage';
import { JobPage } from '../features/training/JobPage';
import { LiveTrainingProvider } from '../features/training/live-training';
import { PlaygroundPage } from '../features/playground/PlaygroundPage';
import { SpeechPage } from '../features/speech/SpeechPage';
import { GuestOnly, RequireAuth } from './guards';
import { AppLayout } from './layout/AppLayout';
import { NotFoundPage } from './NotFoundPage';
import { SignedInEffects } from './SignedInEffects';

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
        <Route path="/hub/:owner/:name" element={<ModelPage />} />
        <Route path="/downloads" element={<DownloadsPage />} />
        <Route path="/models" element={<ModelsPage />} />
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
