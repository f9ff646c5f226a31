import type { ReactNode } from 'react';
import {
  BoxIcon,
  ChartIcon,
  DownloadIcon,
  SearchIcon,
  ServerIcon,
  SettingsIcon,
  SparkIcon,
  TableIcon,
  WaveIcon,
} from '../../components/icons';

export type NavKey = 'hub' | 'downloads' | 'models' | 'datasets' | 'training' | 'playground' | 'speech' | 'settings' | 'system';

export interface NavItem {
  key: NavKey;
  to: string;
  icon: ReactNode;
  group: 'models' | 'learn' | 'account';
}

export const NAV_ITEMS: NavItem[] = [
  { key: 'hub', to: '/hub', icon: <SearchIcon />, group: 'models' },
  { key: 'downloads', to: '/downloads', icon: <DownloadIcon />, group: 'models' },
  { key: 'models', to: '/models', icon: <BoxIcon />, group: 'models' },
  { key: 'datasets', to: '/datasets', icon: <TableIcon />, group: 'learn' },
  { key: 'training', to: '/training', icon: <ChartIcon />, group: 'learn' },
  { key: 'playground', to: '/playground', icon: <SparkIcon />, group: 'learn' },
  { key: 'speech', to: '/speech', icon: <WaveIcon />, group: 'learn' },
  { key: 'settings', to: '/settings', icon: <SettingsIcon />, group: 'account' },
  { key: 'system', to: '/system', icon: <ServerIcon />, group: 'account' },
];

export const NAV_GROUPS = ['models', 'learn', 'account'] as const;
