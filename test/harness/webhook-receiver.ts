import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A webhook event as Gatehouse sends it (the body of one delivery). */
export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown> & { consentId?: string };
}

export interface WebhookReceiver {
  /** Register this on the app (`PUT …/apps/:appId/webhook`). */
  url: string;
  /** Every event received, in arrival order. */
  events: WebhookEvent[];
  close(): Promise<void>;
}

/** An app's webhook endpoint on 127.0.0.1 that records every event it is sent and answers 200. */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const events: WebhookEvent[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookEvent);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/gatehouse`,
    events,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
