/**
 * Animates the ring from what is on screen to a new set of ranges over `ringAnimationMs`, one frame per
 * animation frame. A ring that changes mid-animation starts its transition from the current frame.
 */
import { useEffect, useRef, useState } from 'react';
import { ringAnimationMs } from '../config/limits.js';
import type { OwnedRange } from '../lib/ring.js';
import { type ArcFrame, interpolateArcs, sameArcs } from '../lib/ring-animation.js';

export function useAnimatedArcs(ranges: readonly OwnedRange[]): ArcFrame[] {
  const [frames, setFrames] = useState<ArcFrame[]>(() => interpolateArcs([], ranges, 1));
  const framesRef = useRef(frames);
  framesRef.current = frames;

  useEffect(() => {
    const before = framesRef.current.filter((frame) => frame.length > 0);
    // A re-read of an unchanged ring: nothing to animate.
    if (sameArcs(before, ranges)) return;
    // The first ring drawn appears at once; later changes animate.
    if (before.length === 0 || window.matchMedia?.('(prefers-reduced-motion: reduce)').matches) {
      setFrames(interpolateArcs([], ranges, 1));
      return;
    }
    const startedAt = performance.now();
    let handle = 0;
    const step = (now: number) => {
      const progress = Math.min(1, (now - startedAt) / ringAnimationMs);
      setFrames(interpolateArcs(before, ranges, progress));
      if (progress < 1) handle = requestAnimationFrame(step);
    };
    handle = requestAnimationFrame(step);
    return () => cancelAnimationFrame(handle);
  }, [ranges]);

  return frames;
}
