import type { ModelStatus } from '@sokhan/common';

/** One `models` row, as node-postgres returns it (Hub downloads and trained models share the table). */
export interface ModelRow {
  id: string;
  name: string;
  type: string;
  repo_id: string | null;
  revision: string | null;
  size_mb: number;
  status: ModelStatus;
  source: 'hub' | 'trained';
  owner_id: string | null;
  file_path: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}
