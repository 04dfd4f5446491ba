// `testTimeout` is a global Jest option, ignored inside a project entry, so
// the e2e project sets its own here: booting apps and running operations take
// longer than the 5 s default, and the unit project keeps its short one.
jest.setTimeout(120_000);
