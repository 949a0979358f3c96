/** The sign-in form: one API key, checked against the server before it is kept. */
import { useState } from 'preact/hooks';

export function SignIn({ onSignIn, error }: { onSignIn(key: string): Promise<void>; error: string | undefined }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === '') return;
    setBusy(true);
    await onSignIn(trimmed);
    setBusy(false);
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading" tabIndex={-1}>
          Cabinet console
        </h1>
        <p>Sign in with an API key of your workspace, or an admin key.</p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-describedby={error ? 'sign-in-error key-note' : 'key-note'}
          aria-invalid={error ? true : undefined}
          autoFocus
        />
        <p id="key-note" class="note">
          Kept in this tab only (session storage) until you sign out or close the tab; never in a cookie.
        </p>
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
