/** Placeholder until the thread adapter lands. */
export {}
