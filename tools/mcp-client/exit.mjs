// Exits with `code` once stdout has handed every line written before to the OS. A pipe on Linux is written
// asynchronously once it is full (a screenshot's line is far larger than the pipe's 64 KiB), and process.exit()
// drops what is still queued: the reader then sees a line cut short. Writes complete in order, so the callback of
// an empty write runs after all of them. The promise never settles: `await` it to stop where the exit is asked for.
export function exitAfterOutput(code) {
  return new Promise(() => process.stdout.write('', () => process.exit(code)));
}
