import { nodeStatuses } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { nodeColors, nodeColorVar, palettes, statusColorVar, themeVariables } from './theme.js';

describe('themeVariables', () => {
  it('defines every variable the components refer to, in both themes', () => {
    for (const theme of ['light', 'dark'] as const) {
      const variables = themeVariables(theme);
      expect(variables['--surface-raised']).toBe(palettes[theme].surfaceRaised);
      expect(variables['--text-muted']).toBe(palettes[theme].textMuted);
      nodeColors.forEach((_, slot) => {
        expect(variables[nodeColorVar(slot).slice(4, -1)]).toBeDefined();
      });
      for (const status of nodeStatuses) expect(variables[statusColorVar(status).slice(4, -1)]).toBeDefined();
      for (const op of ['create', 'read', 'update', 'delete']) expect(variables[`--op-${op}`]).toBeDefined();
    }
  });

  it('wraps node slots past the palette', () => {
    expect(nodeColorVar(nodeColors.length + 1)).toBe('var(--node-1)');
  });
});
