import { expect } from 'vitest';

/** Reads Server-Sent Events from a real socket until `until` says stop or the server ends the stream. */
export async function readEvents(
  url: string,
  until: (events: Record<string, unknown>[]) => boolean,
  onOpen?: () => Promise<void>,
) {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Record<string, unknown>[] = [];
  let buffer = '';
  let opened = false;
  let ended = false;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let i = buffer.indexOf('\n\n');
    while (i >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      if (block.startsWith('event: status\n')) events.push(JSON.parse(block.split('\ndata: ')[1]!));
      i = buffer.indexOf('\n\n');
    }
    if (events.length > 0 && !opened) {
      opened = true;
      await onOpen?.();
    }
    if (until(events)) break;
  }
  await reader.cancel().catch(() => {});
  return { events, ended };
}
