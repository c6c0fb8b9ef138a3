/** Placeholder until the rx adapter lands. */
export {}
