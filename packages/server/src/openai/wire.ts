/**
 * The OpenAI Files and Uploads wire shapes, exactly as the official `openai` SDK reads them
 * (`src/resources/files.ts`, `src/resources/uploads/*.ts` of openai-node; docs/openai.md §Wire).
 * Field names stay snake_case as on the wire; times are Unix seconds.
 */

/** Purposes a file may be created with (`FilePurpose` of the SDK). */
export const OPENAI_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
export type OpenAIPurpose = (typeof OPENAI_PURPOSES)[number];

/** Purposes a file object may show: the creatable ones, and the output purposes of OpenAI's own jobs. */
export type OpenAIFilePurposeShown = OpenAIPurpose | 'assistants_output' | 'batch_output' | 'fine-tune-results';

export interface OpenAIFileObject {
  id: string;
  object: 'file';
  bytes: number;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds, or null when the file never expires. */
  expires_at: number | null;
  filename: string;
  purpose: OpenAIFilePurposeShown;
  /** Deprecated by OpenAI but still typed as required by the SDK; Cabinet's files are always `processed`. */
  status: 'processed';
  status_details: null;
}

export interface OpenAIFileList {
  object: 'list';
  data: OpenAIFileObject[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface OpenAIFileDeleted {
  id: string;
  object: 'file';
  deleted: true;
}

export interface OpenAIUpload {
  id: string;
  object: 'upload';
  bytes: number;
  created_at: number;
  expires_at: number;
  filename: string;
  purpose: string;
  status: 'pending' | 'completed' | 'cancelled' | 'expired';
  file: OpenAIFileObject | null;
}

export interface OpenAIUploadPart {
  id: string;
  object: 'upload.part';
  created_at: number;
  upload_id: string;
}

/** OpenAI's error envelope (the SDK reads `error.message`, `.type`, `.param`, `.code`). */
export interface OpenAIErrorEnvelope {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

/** `expires_after.seconds` bounds: one hour to 30 days. */
export const OPENAI_EXPIRES_AFTER = { minSeconds: 3600, maxSeconds: 2_592_000 } as const;
/** Files of purpose `batch` expire after 30 days unless `expires_after` says otherwise. */
export const OPENAI_BATCH_DEFAULT_EXPIRY_SECONDS = 30 * 24 * 3600;
/** `GET /files` `limit`: 1–10,000, default 10,000. */
export const OPENAI_LIST_LIMITS = { min: 1, max: 10_000, default: 10_000 } as const;
