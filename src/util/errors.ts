// Errors caused by the user's input (a bad config, an unknown id, a missing or malformed file). The CLI turns them
// into exit code 2 with nothing written; everything else is a run failure.
export class InputError extends Error {
  constructor(message: string) { super(message); this.name = 'InputError'; }
}

export function isInputError(e: unknown): e is Error {
  return e instanceof Error && (e.name === 'InputError' || e.name === 'RegistryError' || e.name === 'BackendError' || e.name === 'ZodError' || e.name === 'SpecError');
}
