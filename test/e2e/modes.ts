/** Both modes promise the same API (SPEC §1), so every e2e suite runs once per mode. */
export const MODES = ['embedded', 'distributed'] as const;

export type Mode = (typeof MODES)[number];
