import type { ThemeName } from '../config/theme.js';
import type { ConnectionStatus } from '../connection/cluster-source.js';

interface HeaderProps {
  host: string;
  status: ConnectionStatus;
  epoch: number | null;
  theme: ThemeName;
  onTheme: (theme: ThemeName) => void;
}

export function Header({ host, status, epoch, theme, onTheme }: HeaderProps) {
  return (
    <header className="top-bar">
      <div className="brand">
        <RingMark />
        <span className="brand-name">ringkv</span>
        <span className="brand-sub">cluster dashboard</span>
      </div>
      <div className="top-bar-right">
        <span className={`connection-pill ${status}`} data-testid="connection-pill">
          <span className="status-dot" aria-hidden="true" />
          {status === 'open' ? `connected to ${host}` : status}
        </span>
        {epoch !== null && <span className="muted">ring epoch {epoch}</span>}
        <a className="muted" href="./docs">
          API docs
        </a>
        <button
          type="button"
          className="secondary small"
          onClick={() => onTheme(theme === 'dark' ? 'light' : 'dark')}
          aria-label={`switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
      </div>
    </header>
  );
}

function RingMark() {
  return (
    <svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true">
      <circle
        cx="11"
        cy="11"
        r="8"
        fill="none"
        stroke="var(--node-0)"
        strokeWidth="3"
        strokeDasharray="12 4.75"
      />
      <circle cx="11" cy="3" r="2.4" fill="var(--node-1)" />
    </svg>
  );
}
