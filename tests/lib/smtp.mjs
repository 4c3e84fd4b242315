// smtp.mjs - a real SMTP server (npm smtp-server) on 127.0.0.1 for tests:
// it collects every message it accepts, decoded enough to check what a
// person would read (RFC 2047 headers, quoted-printable or base64 bodies),
// and can be told to refuse a recipient with a 4xx (try again later) or 5xx
// (refused for good) answer, a number of times or always.
import { SMTPServer } from 'smtp-server';

// Decode RFC 2047 encoded-words ("=?UTF-8?B?...?=" and "?Q?") in a header.
export function decodeWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // blanks between adjacent encoded-words vanish
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const bytes = /b/i.test(enc)
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return new TextDecoder(charset).decode(bytes);
    });
}

function decodeQuotedPrintable(body) {
  const bytes = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return bytes.toString('utf8');
}

// Split a raw message into headers (unfolded, names lower-cased; a header
// seen twice keeps its first value, and `all` lists every one) and text.
export function parseMessage(raw) {
  const cut = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, cut);
  const body = raw.slice(cut + 4);
  const headers = {};
  const all = [];
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).toLowerCase();
    const value = line.slice(i + 1).trim();
    all.push([name, value]);
    if (!(name in headers)) headers[name] = value;
  }
  const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
  const text = cte === 'quoted-printable' ? decodeQuotedPrintable(body)
    : cte === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { headers, all, subject: decodeWords(headers.subject || ''), from: decodeWords(headers.from || ''), text };
}

// Start the server on a free port. Returns { url, port, messages, refuse,
// waitFor, stop }.
export async function startSmtp() {
  const messages = [];
  const refusals = new Map(); // address -> { code, times }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true, // no DNS here: a lookup would hold up the greeting
    logger: false,
    size: 1024 * 1024,
    onRcptTo(address, session, callback) {
      const r = refusals.get(address.address.toLowerCase());
      if (r && r.times > 0) {
        r.times -= 1;
        const err = new Error(r.code >= 500 ? 'Mailbox unavailable' : 'Try again later');
        err.responseCode = r.code;
        return callback(err);
      }
      return callback();
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.push({
          mailFrom: session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((a) => a.address),
          raw,
          ...parseMessage(raw),
        });
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    // Answer code (4xx or 5xx) to RCPT TO for address, `times` times (default always).
    refuse(address, code, times = Infinity) { refusals.set(address.toLowerCase(), { code, times }); },
    accept(address) { refusals.delete(address.toLowerCase()); },
    // The messages to address so far.
    to(address) { return messages.filter((m) => m.rcptTo.includes(address)); },
    // Wait (polling, at most timeoutMs) for a message to address.
    async waitFor(address, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = messages.find((x) => x.rcptTo.includes(address));
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop() { return new Promise((resolve) => server.close(resolve)); },
  };
}
