/**
 * Is the Electron that installers would ship still supported? Electron supports the latest three
 * stable majors and releases a new major about every 8 weeks, so major M leaves support when M + 3
 * ships. No network here (and none needed in a release job): the date is estimated from the cadence,
 * anchored on a known release (33.0.0, 2024-10-15). Holiday breaks make real releases later than the
 * estimate, so the estimate errs on the strict side: it asks for an update a little early, never late.
 * `npm run dist` refuses an unsupported Electron unless `--allow-unsupported-electron` is given.
 */
const ANCHOR = { major: 33, date: Date.UTC(2024, 9, 15) };
const CADENCE_DAYS = 56;
const SUPPORTED_MAJORS = 3;
const DAY = 86_400_000;

/** The estimated date major `m` ships (ms since the epoch, UTC). */
export function estimatedRelease(m) {
  return ANCHOR.date + (m - ANCHOR.major) * CADENCE_DAYS * DAY;
}

/**
 * @param {string} version the installed electron's package.json version, e.g. "45.5.0"
 * @param {number} now ms since the epoch
 * @returns {{ supported: boolean, major: number, endsOn: string, message: string }}
 */
export function electronSupport(version, now) {
  const major = Number.parseInt(String(version), 10);
  if (!Number.isInteger(major) || major <= 0)
    return {
      supported: false,
      major: NaN,
      endsOn: '',
      message: `cannot read Electron's version from ${JSON.stringify(version)}`,
    };
  const ends = estimatedRelease(major + SUPPORTED_MAJORS);
  const endsOn = new Date(ends).toISOString().slice(0, 10);
  if (now < ends)
    return { supported: true, major, endsOn, message: `Electron ${major} is supported until about ${endsOn}` };
  return {
    supported: false,
    major,
    endsOn,
    message:
      `Electron ${major} left Electron's support window about ${endsOn} (Electron ${major + SUPPORTED_MAJORS} shipped; ` +
      'only the latest three majors get security fixes). Update it (`npm install --save-dev electron@latest`, then run ' +
      'the tests) before building installers, or pass --allow-unsupported-electron to build anyway.',
  };
}
