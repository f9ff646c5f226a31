import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@fontsource/vazirmatn/arabic-400.css';
import '@fontsource/vazirmatn/arabic-500.css';
import '@fontsource/vazirmatn/arabic-700.css';
import '@fontsource/vazirmatn/latin-400.css';
import '@fontsource/vazirmatn/latin-500.css';
import '@fontsource/vazirmatn/latin-700.css';
import './styles/index.css';
import { App } from './app/App';
import { createApiClient } from './lib/api';
import { createSocket } from './lib/socket';
import { createTokenStore } from './lib/token-store';
import type { Services } from './app/services';

const storage = typeof window !== 'undefined' ? window.localStorage : null;
const tokens = createTokenStore(storage);
const services: Services = {
  tokens,
  storage,
  api: createApiClient({ tokens }),
  connectSocket: createSocket,
};

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App services={services} />
    </StrictMode>,
  );
}
