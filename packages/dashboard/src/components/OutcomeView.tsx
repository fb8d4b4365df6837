/** The outcome of a form: nothing, a spinner line, the SPEC error plainly, or the result as JSON. */
import type { Outcome } from '../hooks/useOperation.js';

export function OutcomeView<T>({ outcome, testId }: { outcome: Outcome<T>; testId: string }) {
  if (outcome.state === 'idle') return null;
  if (outcome.state === 'pending') return <p className="outcome muted">working…</p>;
  if (outcome.state === 'error') {
    return (
      <div className="outcome error" role="alert" data-testid={`${testId}-error`}>
        <code className="error-code">{outcome.error.code}</code>
        <span className="error-message">{outcome.error.message}</span>
      </div>
    );
  }
  return (
    <pre className="outcome ok" data-testid={`${testId}-result`}>
      {JSON.stringify(outcome.result, null, 2)}
    </pre>
  );
}
