/** Placeholder until the dashboard issue lands: proves the node serves the built page at `/`. */
export function App() {
  return (
    <main>
      <h1>ringkv</h1>
      <p data-testid="placeholder">The dashboard is being built. The API is live: see /docs.</p>
    </main>
  );
}
