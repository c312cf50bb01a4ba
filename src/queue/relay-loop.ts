import { Logger } from '@nestjs/common';

/**
 * The loop of a relay that hands committed rows from PostgreSQL to BullMQ (the email outbox, the
 * job outbox): run `step` (one batch, returning how many rows it handed off) again at once while
 * batches come back full, otherwise wait `pollMs` or until `wake()` (a NOTIFY, a shutdown). A step
 * that throws is logged and retried on the next turn: the rows stay in PostgreSQL meanwhile.
 */
export class RelayLoop {
  private stopped = false;
  private wakeUp?: () => void;
  private loop?: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<number>,
    private readonly options: { batch: number; pollMs: number; logger: Logger },
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the wait now; the next step runs at once. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Lets the current step finish, then ends the loop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let handedOff = 0;
      try {
        handedOff = await this.step();
      } catch (e) {
        this.options.logger.warn(`${this.name}: ${(e as Error).message}; rows stay in PostgreSQL and are retried`);
      }
      if (handedOff < this.options.batch && !this.stopped) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.options.pollMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
