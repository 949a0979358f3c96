/** One usage line per command: shown by `cabinet --help` and in the commands' own usage errors. */
export const USAGE = {
  serve: 'cabinet serve [--port N] [--host H] [--data-dir DIR] [...]  (cabinet serve --help lists all)',
  upload: 'cabinet upload <paths...> [--purpose user_data|batch] [--expires-in SECONDS] [--json]',
  ls: 'cabinet ls [--limit N] [--all] [--json]',
  info: 'cabinet info <id> [--json]',
  download: 'cabinet download <id> [-o PATH] [--json]',
  rm: 'cabinet rm <ids...> [--json]',
  keys: 'cabinet keys create|list|revoke [<key_id>] [--workspace NAME] [--name LABEL] [--data-dir DIR] [--json]',
} as const;

export type CommandName = keyof typeof USAGE;
