import net from 'node:net';

/**
 * A minimal HTTP/1.1 keep-alive client for load generators: one connection, one request at a
 * time, requests pre-rendered to bytes, responses parsed only for the status, Content-Length and
 * body. It spends a fraction of the CPU of fetch or node:http per request, so on a small machine
 * more of the CPU is left to the server under test. Not for general use: no chunked responses,
 * no redirects, no TLS.
 */
export class RawHttpConnection {
  private socket: net.Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve(r: { status: number; text: string }): void; reject(e: Error): void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** The bytes of a POST with a JSON body and these extra headers (rendered once, sent many times). */
  static renderPost(host: string, path: string, headers: Record<string, string>, body: string): Buffer {
    const bytes = Buffer.from(body);
    const lines = [
      `POST ${path} HTTP/1.1`,
      `host: ${host}`,
      'connection: keep-alive',
      `content-length: ${bytes.length}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), bytes]);
  }

  private connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port, noDelay: true }, () => resolve(s));
      s.once('error', reject);
      s.on('data', (d: Buffer) => this.onData(d));
      s.on('close', () => {
        this.socket = null;
        this.waiting?.reject(new Error('connection closed'));
        this.waiting = null;
      });
    });
  }

  async send(request: Buffer): Promise<{ status: number; text: string }> {
    this.socket ??= await this.connect();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket!.write(request);
    });
  }

  private onData(d: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, d]) : d;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const m = /content-length:\s*(\d+)/i.exec(head);
    if (!m) {
      this.waiting?.reject(new Error(`response without content-length: ${head.slice(0, 200)}`));
      this.socket?.destroy();
      return;
    }
    const total = end + 4 + Number(m[1]);
    if (this.buffer.length < total) return;
    const status = Number(head.slice(9, 12));
    const text = this.buffer.subarray(end + 4, total).toString('utf8');
    this.buffer = this.buffer.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    w?.resolve({ status, text });
  }

  close(): void {
    this.socket?.destroy();
  }
}
