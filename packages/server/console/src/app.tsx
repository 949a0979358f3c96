/**
 * The console: sign-in, then the files of the key's workspace and, for an admin key, the Admin
 * page. Views are chosen by the URL fragment (`#files`, `#admin`), so the browser's back button
 * and bookmarks work without any server route per view.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError } from './api.js';
import { AdminView } from './admin-view.js';
import { FilesView } from './files-view.js';
import { describeError } from './messages.js';
import { clearKey, storedKey, storeKey } from './session.js';
import { SignIn } from './sign-in.js';

type View = 'files' | 'admin';

/** The Admin API's answer to an admin key probe: yes, no (403), or not served here (404). */
async function isAdminKey(api: Api): Promise<boolean> {
  try {
    await api.listWorkspaces(false);
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return false;
    throw err;
  }
}

/** Checks a key with the cheapest call every key may make (a one-file list). */
async function signIn(key: string): Promise<{ api: Api; admin: boolean }> {
  const api = new Api(key, serverRoot());
  await api.listFiles({ limit: 1 });
  return { api, admin: await isAdminKey(api) };
}

/** The server's root, relative to this page (`…/console/` → `…/`), so the console works behind a path prefix. */
function serverRoot(): URL {
  return new URL('../', document.baseURI);
}

function viewFromHash(): View {
  return location.hash === '#admin' ? 'admin' : 'files';
}

export function App() {
  const [session, setSession] = useState<{ api: Api; admin: boolean } | undefined>(undefined);
  const [restoring, setRestoring] = useState(storedKey() !== undefined);
  const [signInError, setSignInError] = useState<string | undefined>(undefined);
  const [view, setView] = useState<View>(viewFromHash);
  const [workspace, setWorkspace] = useState<string | undefined>(undefined);
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    const onHash = (): void => setView(viewFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // A reload of the tab keeps the session: the key is still in this tab's sessionStorage.
  useEffect(() => {
    const key = storedKey();
    if (key === undefined) return;
    signIn(key)
      .then(setSession)
      .catch((err: unknown) => {
        clearKey();
        setSignInError(describeError(err, 'Signing in again'));
      })
      .finally(() => setRestoring(false));
  }, []);

  const onSignIn = useCallback(async (key: string): Promise<void> => {
    setSignInError(undefined);
    try {
      const next = await signIn(key);
      storeKey(key);
      setSession(next);
    } catch (err) {
      setSignInError(describeError(err));
    }
  }, []);

  const onSignOut = useCallback((): void => {
    clearKey();
    setSession(undefined);
    setWorkspace(undefined);
    setSignInError(undefined);
    if (location.hash !== '') history.replaceState(null, '', location.pathname);
    setView('files');
  }, []);

  // A key revoked while signed in: back to the sign-in form, saying why.
  const onAuthFailure = useCallback(
    (err: unknown): boolean => {
      if (!(err instanceof ApiError) || err.status !== 401) return false;
      onSignOut();
      setSignInError(describeError(err, 'Signed out'));
      return true;
    },
    [onSignOut],
  );

  // Each view change moves focus to the new view's heading, as a page load would.
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('h1, h2')?.focus();
  }, [view, session !== undefined]);

  // One client per session and workspace: the views reload when it changes, and only then.
  const api = useMemo(() => (session?.admin ? session.api.inWorkspace(workspace) : session?.api), [session, workspace]);

  if (restoring) return <p class="loading" role="status">Signing in…</p>;
  if (!session || !api) return <SignIn onSignIn={onSignIn} error={signInError} />;

  const shown: View = view === 'admin' && session.admin ? 'admin' : 'files';
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">Cabinet</span>
        <nav aria-label="Console">
          <a href="#files" aria-current={shown === 'files' ? 'page' : undefined}>
            Files
          </a>
          {session.admin && (
            <a href="#admin" aria-current={shown === 'admin' ? 'page' : undefined}>
              Admin
            </a>
          )}
        </nav>
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main ref={mainRef}>
        {shown === 'files' ? (
          <FilesView key={workspace ?? ''} api={api} admin={session.admin} workspace={workspace} onWorkspace={setWorkspace} onAuthFailure={onAuthFailure} />
        ) : (
          <AdminView
            api={session.api}
            onAuthFailure={onAuthFailure}
            onBrowse={(id) => {
              setWorkspace(id);
              location.hash = '#files';
            }}
          />
        )}
      </main>
    </div>
  );
}
