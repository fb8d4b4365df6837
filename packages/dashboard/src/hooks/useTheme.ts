import { useLayoutEffect, useState } from 'react';
import { applyTheme, type ThemeName } from '../config/theme.js';

const storageKey = 'ringkv-dashboard-theme';

function initialTheme(): ThemeName {
  const stored = window.localStorage.getItem(storageKey);
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The colour theme: the user's last choice, else the system's; applied as CSS variables. */
export function useTheme(): [ThemeName, (theme: ThemeName) => void] {
  const [theme, setTheme] = useState<ThemeName>(initialTheme);
  useLayoutEffect(() => {
    applyTheme(theme);
    window.localStorage.setItem(storageKey, theme);
  }, [theme]);
  return [theme, setTheme];
}
