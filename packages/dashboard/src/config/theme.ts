/**
 * Every colour of the dashboard, in one object (shadcn's chart.tsx pattern): `applyTheme` writes them as
 * CSS variables on the document, and components refer only to `var(--...)`, so SVG, recharts and CSS
 * share one palette and the light/dark switch is a change of variables, not of components.
 */
import type { NodeStatus } from '@ringkv/protocol';

export type ThemeName = 'light' | 'dark';

interface Palette {
  background: string;
  surface: string;
  surfaceRaised: string;
  border: string;
  text: string;
  textMuted: string;
  accent: string;
  danger: string;
  warning: string;
  success: string;
  grid: string;
}

export const palettes: Record<ThemeName, Palette> = {
  light: {
    background: '#f6f7f9',
    surface: '#ffffff',
    surfaceRaised: '#f0f2f5',
    border: '#dde1e7',
    text: '#1b1f24',
    textMuted: '#5f6b7a',
    accent: '#2f6fed',
    danger: '#c93a3a',
    warning: '#b7791f',
    success: '#2f855a',
    grid: '#e7eaef',
  },
  dark: {
    background: '#0f1216',
    surface: '#171b21',
    surfaceRaised: '#1f252d',
    border: '#2b323c',
    text: '#e6e9ee',
    textMuted: '#8c97a6',
    accent: '#6c9cff',
    danger: '#ef6b6b',
    warning: '#e2b04a',
    success: '#55c28b',
    grid: '#242b34',
  },
};

/** Node colours: distinct hues of similar weight that read on both backgrounds. */
export const nodeColors = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#8cd17d',
  '#86bcb6',
  '#d37295',
] as const;

/** Operation colours for the traffic charts. */
export const opColors = {
  create: '#59a14f',
  read: '#4e79a7',
  update: '#f28e2b',
  delete: '#e15759',
  read_replica: '#76b7b2',
} as const;

/** How each node status reads on the ring and in the legend. */
export const statusColors: Record<NodeStatus, keyof Palette> = {
  alive: 'success',
  joining: 'accent',
  leaving: 'warning',
  suspect: 'warning',
  dead: 'danger',
};

export const nodeColorVar = (slot: number) => `var(--node-${slot % nodeColors.length})`;
export const opColorVar = (op: keyof typeof opColors) => `var(--op-${op})`;
export const statusColorVar = (status: NodeStatus) => `var(--status-${status})`;

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The CSS variables of a theme, as name -> value. */
export function themeVariables(theme: ThemeName): Record<string, string> {
  const palette = palettes[theme];
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(palette)) variables[`--${kebab(name)}`] = value;
  nodeColors.forEach((color, slot) => {
    variables[`--node-${slot}`] = color;
  });
  for (const [op, color] of Object.entries(opColors)) variables[`--op-${op}`] = color;
  for (const [status, paletteName] of Object.entries(statusColors)) {
    variables[`--status-${status}`] = palette[paletteName];
  }
  return variables;
}

export function applyTheme(theme: ThemeName, root: HTMLElement = document.documentElement): void {
  for (const [name, value] of Object.entries(themeVariables(theme))) root.style.setProperty(name, value);
  root.dataset.theme = theme;
}
