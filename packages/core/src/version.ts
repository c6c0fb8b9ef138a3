/** The version of `@zmq-auth/core`, as in its package.json (a test keeps them equal). */
export const PACKAGE_VERSION = "0.1.0"
