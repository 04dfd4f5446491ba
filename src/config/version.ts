/** Herald's release, recorded in the embedded data directory's marker. Keep in step with package.json. */
export const HERALD_VERSION = '0.1.0';
