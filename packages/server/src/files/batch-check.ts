/**
 * What the file service needs of a batch-input validator: it is fed the bytes as they stream past
 * and says whether they are a valid batch file of its dialect. One per dialect: Message Batches
 * JSONL (batch-validator.ts) and OpenAI Batch input (openai/batch-input.ts); the composition root
 * (app.ts) tells the file service which to use for which dialect.
 */
export interface BatchLineProblem {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface BatchCheckProblem extends BatchLineProblem {
  /** Further problems found after the first, for validators that report several lines. */
  more?: readonly BatchLineProblem[];
}

export interface BatchCheck {
  /** Takes the next chunk; must not keep a reference to it after returning. */
  push(chunk: Uint8Array): void;
  /** Set once the validator has decided the file is invalid; further input is then ignored. */
  readonly problem: BatchCheckProblem | undefined;
  /** Call once after the last chunk; returns the problem, if any. */
  finish(): BatchCheckProblem | undefined;
}
