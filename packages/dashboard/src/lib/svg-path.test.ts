import { describe, expect, it } from 'vitest';
import { arcPath, pointAt, spreadMarkers, tickPath, turnOfPoint } from './svg-path.js';

const centre = { x: 100, y: 100 };

describe('pointAt and turnOfPoint', () => {
  it('puts turn 0 at twelve o clock and runs clockwise', () => {
    expect(pointAt(centre, 50, 0).x).toBeCloseTo(100);
    expect(pointAt(centre, 50, 0).y).toBeCloseTo(50);
    expect(pointAt(centre, 50, 0.25).x).toBeCloseTo(150);
    expect(pointAt(centre, 50, 0.5).y).toBeCloseTo(150);
  });

  it('are inverse of each other', () => {
    for (const turn of [0, 0.1, 0.25, 0.5, 0.74, 0.999]) {
      expect(turnOfPoint(centre, pointAt(centre, 40, turn))).toBeCloseTo(turn, 9);
    }
  });
});

describe('arcPath', () => {
  it('draws nothing for an empty arc', () => {
    expect(arcPath(centre, 50, 0.2, 0)).toBe('');
  });

  it('sets the large-arc flag only past half a turn', () => {
    expect(arcPath(centre, 50, 0, 0.25)).toBe('M100 50A50 50 0 0 1 150 100');
    expect(arcPath(centre, 50, 0, 0.75)).toContain(' 0 1 1 ');
  });

  it('draws a full turn as two half arcs in one subpath', () => {
    const path = arcPath(centre, 50, 0, 1);
    expect(path.match(/M/g)).toHaveLength(1);
    expect(path.match(/A/g)).toHaveLength(2);
  });
});

describe('tickPath', () => {
  it('is a radial segment', () => {
    expect(tickPath(centre, 10, 20, 0.25)).toBe('M110 100L120 100');
  });
});

describe('spreadMarkers', () => {
  it('leaves markers that are far apart where they are', () => {
    expect(spreadMarkers([0.1, 0.3, 0.6], 0.02)).toEqual([0.1, 0.3, 0.6]);
  });

  it('pushes crowded markers clockwise to keep a gap, in order, clear of the start', () => {
    const spread = spreadMarkers([0.001, 0.002, 0.5], 0.02);
    expect(spread[0]).toBeCloseTo(0.02, 9);
    expect(spread[1]).toBeCloseTo(0.04, 9);
    expect(spread[2]).toBe(0.5);
  });
});
