import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { within } from '../../common/async/within';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import type { ConsentEnvironment } from '../consent';
import { DecisionResource, decide } from '../consent-decision';
import {
  ChosenDecision,
  DecidingConsent,
  StandingApp,
  StandingOrganisation,
  decideAmong,
  inGoodStanding,
} from './decision-choice';
import {
  AppRow,
  ConsentRow,
  Interner,
  OrganisationRow,
  SELECT_ACTIVE_CONSENTS,
  SELECT_APPS,
  SELECT_APPS_BY_ID,
  SELECT_APP_WITH_ORGANISATION,
  SELECT_CONSENTS_BY_ID,
  SELECT_CONSENTS_OF_PAIR,
  SELECT_ORGANISATIONS,
  SELECT_ORGANISATIONS_BY_ID,
  appOf,
  clientIdOf,
  consentOf,
  organisationOf,
} from './replica-rows';

/** `application_name` of the replica's LISTEN connection (operators and tests find its backend by it). */
export const REPLICA_LISTENER_NAME = 'gatehouse-consent-replica';
/** The channel `gatehouse_consent_change()` notifies, with the change's seq as payload. */
export const CONSENT_CHANGES_CHANNEL = 'gatehouse_consent_changes';

const LOAD_BATCH = 50_000;
const CHANGES_BATCH = 1_000;
/** A replica that knows of a change it has not applied yet stays current this long (it is applying it). */
const MAX_LAG_MS = 200;
const RECONNECT_MAX_MS = 5_000;
/** Answers "no active consent here" from PostgreSQL are kept up to this many subjects, then forgotten. */
const ENDED_CACHE_MAX = 50_000;

/** Whose consent: an app's client id with the customer's `sub`, or a consent id (an access token's). */
export type ReplicaSubject = { clientId: string; customerId: string } | { consentId: string; clientId?: string };

/** Why the replica is or is not current, for readiness and operators. */
export interface ReplicaStatus {
  status: 'current' | 'loading' | 'disconnected' | 'heartbeat_failing' | 'catching_up' | 'sync_failing';
  /** Last change applied (consent_changes.seq). */
  appliedSeq: number;
  /** Highest change known to exist. */
  latestSeq: number;
  /** Active consents held. */
  consents: number;
  apps: number;
  organisations: number;
  /** How long the last full load took, in ms (`null` before the first). */
  loadedInMs: number | null;
  /** Age of the last successful heartbeat, in ms (`null` before the first). */
  heartbeatAgeMs: number | null;
}

const NO_CONSENT: ChosenDecision = Object.freeze({ reason: 'no_consent', consent: undefined });
const TOKEN_INVALID: ChosenDecision = Object.freeze({ reason: 'token_invalid', consent: undefined });

type HeldConsents = DecidingConsent | DecidingConsent[];

/** One consistent copy of the active consents and the standing they depend on. */
class ReplicaState {
  readonly consents = new Map<string, DecidingConsent>();
  readonly apps = new Map<string, StandingApp>();
  readonly organisations = new Map<string, StandingOrganisation>();
  readonly clients = new Map<string, { app: StandingApp; environment: ConsentEnvironment }>();
  /** appId → [sandbox, production] → customer sub → consents. */
  readonly bySub = new Map<string, [Map<string, HeldConsents>, Map<string, HeldConsents>]>();
  readonly intern = new Interner();

  putApp(app: StandingApp): void {
    this.removeApp(app.id);
    this.apps.set(app.id, app);
    this.clients.set(app.sandboxClientId, { app, environment: 'sandbox' });
    if (app.productionClientId) this.clients.set(app.productionClientId, { app, environment: 'production' });
  }

  removeApp(id: string): void {
    const old = this.apps.get(id);
    if (!old) return;
    this.apps.delete(id);
    if (this.clients.get(old.sandboxClientId)?.app === old) this.clients.delete(old.sandboxClientId);
    if (old.productionClientId && this.clients.get(old.productionClientId)?.app === old)
      this.clients.delete(old.productionClientId);
  }

  putConsent(c: DecidingConsent): void {
    this.removeConsent(c.id);
    this.consents.set(c.id, c);
    let byEnv = this.bySub.get(c.appId);
    if (!byEnv) this.bySub.set(c.appId, (byEnv = [new Map(), new Map()]));
    const bySub = byEnv[c.environment === 'production' ? 1 : 0];
    const held = bySub.get(c.customerSub);
    if (held === undefined) bySub.set(c.customerSub, c);
    else if (Array.isArray(held)) held.push(c);
    else bySub.set(c.customerSub, [held, c]);
  }

  removeConsent(id: string): DecidingConsent | undefined {
    const old = this.consents.get(id);
    if (!old) return undefined;
    this.consents.delete(id);
    const bySub = this.bySub.get(old.appId)?.[old.environment === 'production' ? 1 : 0];
    const held = bySub?.get(old.customerSub);
    if (Array.isArray(held)) {
      const rest = held.filter((c) => c.id !== id);
      bySub!.set(old.customerSub, rest.length === 1 ? rest[0]! : rest);
    } else if (held) bySub!.delete(old.customerSub);
    return old;
  }

  held(appId: string, environment: ConsentEnvironment, sub: string): HeldConsents | undefined {
    return this.bySub.get(appId)?.[environment === 'production' ? 1 : 0].get(sub);
  }
}

/**
 * The decision point's in-process replica of every ACTIVE consent and of the app and organisation
 * standing they depend on (SPEC "Decision point"), so a decision reads no table.
 *
 * It loads everything at start (one REPEATABLE READ snapshot, a cursor fetched 50,000 rows at a time, at the
 * change counter's seq), then follows the change feed of migration 1764293300000: a `LISTEN` on
 * its own connection wakes it on each committed change; it reads `consent_changes` after the last
 * seq it applied, re-reads the consents, apps and organisations they name, and applies them. Seqs
 * become visible in commit order, so the feed has no holes: if applied+1 is missing the feed was
 * pruned and the replica reloads. A heartbeat reads the counter every `heartbeatMs` to catch a
 * missed notification.
 *
 * "Current" means: loaded, listening, the last heartbeat succeeded less than `staleAfterMs` ago,
 * the last catch-up succeeded, and any change known to exist was applied or became known less than
 * 200 ms ago. Only a current replica answers alone (`decideLocal`); otherwise the decision is read
 * from PostgreSQL (`decideFromDatabase`) and, if that fails, the caller refuses: stale never allows.
 */
@Injectable()
export class ConsentReplica implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConsentReplica.name);
  private state: ReplicaState | undefined;
  private applied = 0;
  private observed = 0;
  private behindSinceMs = 0;
  private needsReload = true;
  private syncFailing = false;
  private listening = false;
  private lastHeartbeatOkMs = 0;
  private loadedInMs: number | null = null;
  private client: Client | undefined;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private heartbeatRunning = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs: number;
  private destroyed = false;
  private loaded: { promise: Promise<void>; resolve: () => void };
  /** Answers read from PostgreSQL for subjects with no active consent here, by subject key. */
  private readonly ended = new Map<string, ChosenDecision>();
  /** Bumped whenever a consent changes, so an answer read before the change is not cached after it. */
  private generation = 0;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly reconnectMinMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.heartbeatMs = config.consents.replica.heartbeatMs;
    this.staleAfterMs = Math.max(1_000, 3 * this.heartbeatMs);
    this.reconnectMinMs = config.consents.replica.reconnectMs;
    this.reconnectDelayMs = this.reconnectMinMs;
    let resolve!: () => void;
    this.loaded = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  onApplicationBootstrap(): void {
    void this.connectListener();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    void this.heartbeat();
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
    await this.syncing;
  }

  /** Resolves once the first full load is in place (it may not be current yet). */
  whenLoaded(): Promise<void> {
    return this.loaded.promise;
  }

  /** Whether the replica may answer alone at `nowMs` (see the class docstring). */
  isCurrent(nowMs: number): boolean {
    return (
      this.state !== undefined &&
      !this.needsReload &&
      this.listening &&
      !this.syncFailing &&
      nowMs - this.lastHeartbeatOkMs <= this.staleAfterMs &&
      (this.observed <= this.applied || nowMs - this.behindSinceMs <= MAX_LAG_MS)
    );
  }

  status(nowMs = Date.now()): ReplicaStatus {
    const state = this.state;
    let status: ReplicaStatus['status'] = 'current';
    if (!state || this.needsReload) status = 'loading';
    else if (!this.listening) status = 'disconnected';
    else if (nowMs - this.lastHeartbeatOkMs > this.staleAfterMs) status = 'heartbeat_failing';
    else if (this.syncFailing) status = 'sync_failing';
    else if (!this.isCurrent(nowMs)) status = 'catching_up';
    return {
      status,
      appliedSeq: this.applied,
      latestSeq: Math.max(this.observed, this.applied),
      consents: state?.consents.size ?? 0,
      apps: state?.apps.size ?? 0,
      organisations: state?.organisations.size ?? 0,
      loadedInMs: this.loadedInMs,
      heartbeatAgeMs: this.lastHeartbeatOkMs === 0 ? null : nowMs - this.lastHeartbeatOkMs,
    };
  }

  /**
   * Decides from the replica alone, synchronously: `undefined` when it cannot (not current, or no
   * active consent here for the subject — the reason then comes from PostgreSQL). Several consents
   * for one (client, customer): the first that allows wins, else the most useful denial. A consent
   * id with a `clientId` that is not the consent's app's client in its environment: `token_invalid`.
   */
  decideLocal(
    subject: ReplicaSubject,
    scope: string,
    resource: DecisionResource | undefined,
    nowMs: number,
  ): ChosenDecision | undefined {
    if (!this.isCurrent(nowMs)) return undefined;
    const state = this.state!;
    if ('consentId' in subject) {
      const c = state.consents.get(subject.consentId);
      if (!c) return undefined;
      const app = state.apps.get(c.appId);
      if (subject.clientId !== undefined && (!app || clientIdOf(app, c.environment) !== subject.clientId))
        return TOKEN_INVALID;
      return { reason: decide(c, this.standing(state, c, nowMs), scope, resource, nowMs), consent: c };
    }
    const client = state.clients.get(subject.clientId);
    if (!client) return NO_CONSENT;
    const held = state.held(client.app.id, client.environment, subject.customerId);
    if (held === undefined) return undefined;
    if (!Array.isArray(held))
      return { reason: decide(held, this.standing(state, held, nowMs), scope, resource, nowMs), consent: held };
    return decideAmong(held, (c) => this.standing(state, c, nowMs), scope, resource, nowMs);
  }

  /**
   * Decides from PostgreSQL: the subject's consents (any status) and their app's standing, read
   * now, through the same `decide()`. Used when the replica is not current, and (cached until the
   * subject's consents change) when it holds no active consent for the subject. Rejects when
   * PostgreSQL does; the caller must then refuse.
   */
  async decideFromDatabase(
    subject: ReplicaSubject,
    scope: string,
    resource: DecisionResource | undefined,
    nowMs: number,
  ): Promise<ChosenDecision> {
    const key = this.isCurrent(nowMs) ? this.endedKey(subject) : undefined;
    const cached = key === undefined ? undefined : this.ended.get(key);
    if (cached) return cached;
    const generation = this.generation;
    const decision = await this.readDecision(subject, scope, resource, nowMs);
    if (key !== undefined && generation === this.generation && decision.consent?.status !== 'active') {
      if (this.ended.size >= ENDED_CACHE_MAX) this.ended.clear();
      this.ended.set(key, decision);
    }
    return decision;
  }

  private standing(state: ReplicaState, c: DecidingConsent, nowMs: number): boolean {
    const app = state.apps.get(c.appId);
    return inGoodStanding(c.environment, app, app && state.organisations.get(app.organisationId), nowMs);
  }

  /** The subject's key in the ended-answers cache (client ids resolved to the app, which outlives them). */
  private endedKey(subject: ReplicaSubject): string | undefined {
    if ('consentId' in subject) return subject.clientId === undefined ? subject.consentId : undefined;
    const client = this.state?.clients.get(subject.clientId);
    return client && pairKey(client.app.id, client.environment, subject.customerId);
  }

  private async readDecision(
    subject: ReplicaSubject,
    scope: string,
    resource: DecisionResource | undefined,
    nowMs: number,
  ): Promise<ChosenDecision> {
    let rows: ConsentRow[];
    let found: (AppRow & Omit<OrganisationRow, 'id'>) | undefined;
    let environment: ConsentEnvironment | undefined;
    if ('consentId' in subject) {
      rows = (await this.dataSource.query(SELECT_CONSENTS_BY_ID, [[subject.consentId]])) as ConsentRow[];
      if (rows.length === 0) return NO_CONSENT;
      [found] = (await this.dataSource.query(SELECT_APP_WITH_ORGANISATION, [
        rows[0]!.app_id,
        null,
      ])) as (typeof found)[];
      environment = rows[0]!.environment;
      if (subject.clientId !== undefined && (!found || clientIdOfRow(found, environment) !== subject.clientId))
        return TOKEN_INVALID;
    } else {
      [found] = (await this.dataSource.query(SELECT_APP_WITH_ORGANISATION, [
        null,
        subject.clientId,
      ])) as (typeof found)[];
      if (!found) return NO_CONSENT;
      environment = found.sandbox_client_id === subject.clientId ? 'sandbox' : 'production';
      rows = (await this.dataSource.query(SELECT_CONSENTS_OF_PAIR, [
        found.id,
        environment,
        subject.customerId,
      ])) as ConsentRow[];
    }
    const intern = new Interner();
    const app = found && appOf(found, intern);
    const organisation = found && organisationOf({ ...found, id: found.organisation_id });
    const good = inGoodStanding(environment, app, organisation, nowMs);
    const consents = rows.map((r) => consentOf(r, intern));
    return decideAmong(consents, () => good, scope, resource, nowMs);
  }

  // --- following the change feed ---

  private observe(seq: number): void {
    if (seq <= this.observed) return;
    if (this.observed <= this.applied) this.behindSinceMs = Date.now();
    this.observed = seq;
  }

  private async connectListener(): Promise<void> {
    if (this.destroyed) return;
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: REPLICA_LISTENER_NAME,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      const seq = Number(message.payload);
      if (!Number.isSafeInteger(seq)) return;
      this.observe(seq);
      if (seq > this.applied) this.requestSync();
    });
    client.on('error', () => this.listenerLost(client));
    client.on('end', () => this.listenerLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CONSENT_CHANGES_CHANNEL}`);
    } catch (e) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.logger.warn(`consent replica: cannot listen for changes (${(e as Error).message}); retrying`);
      this.scheduleReconnect();
      return;
    }
    if (this.destroyed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.listening = true;
    this.reconnectDelayMs = this.reconnectMinMs;
    // Notifications sent while nobody listened are gone: the heartbeat reads the counter and catches up from applied.
    void this.heartbeat();
  }

  private listenerLost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    client.end().catch(() => undefined);
    if (this.destroyed) return;
    this.logger.warn('consent replica: change listener disconnected; answering from PostgreSQL until it is back');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.destroyed) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, Math.max(RECONNECT_MAX_MS, this.reconnectMinMs));
    this.reconnectTimer = setTimeout(() => void this.connectListener(), delay);
    this.reconnectTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatRunning || this.destroyed) return;
    this.heartbeatRunning = true;
    try {
      const rows = (await within(
        this.dataSource.query(`SELECT seq::text AS seq FROM consent_change_counter`),
        this.staleAfterMs,
        'consent change counter did not answer',
      )) as { seq: string }[];
      this.lastHeartbeatOkMs = Date.now();
      this.observe(Number(rows[0]!.seq));
      if (this.observed > this.applied || this.needsReload || this.syncFailing) this.requestSync();
    } catch {
      // Not current once the last success is older than staleAfterMs; the next beat tries again.
    } finally {
      this.heartbeatRunning = false;
    }
  }

  private requestSync(): void {
    if (this.destroyed) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = this.sync().finally(() => {
      this.syncing = undefined;
      if (this.syncAgain) {
        this.syncAgain = false;
        this.requestSync();
      }
    });
  }

  private async sync(): Promise<void> {
    try {
      if (this.needsReload || !this.state) await this.load();
      while (!this.destroyed && this.observed > this.applied) await this.catchUp();
      this.syncFailing = false;
    } catch (e) {
      if (this.destroyed) return;
      this.syncFailing = true;
      this.logger.warn(`consent replica: catching up failed (${(e as Error).message}); answering from PostgreSQL`);
    }
  }

  /** Loads every active consent, app and organisation in one snapshot, then swaps it in. */
  private async load(): Promise<void> {
    const started = performance.now();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ seq }] = (await runner.query(`SELECT seq::text AS seq FROM consent_change_counter`)) as [
        { seq: string },
      ];
      const state = new ReplicaState();
      for (const row of (await runner.query(SELECT_ORGANISATIONS)) as OrganisationRow[])
        state.organisations.set(row.id, organisationOf(row));
      for (const row of (await runner.query(SELECT_APPS)) as AppRow[]) state.putApp(appOf(row, state.intern));
      // One cursor, so PostgreSQL joins the customers once rather than once per batch.
      await runner.query(`DECLARE gatehouse_replica_load NO SCROLL CURSOR FOR ${SELECT_ACTIVE_CONSENTS}`);
      for (;;) {
        const rows = (await runner.query(`FETCH ${LOAD_BATCH} FROM gatehouse_replica_load`)) as ConsentRow[];
        for (const row of rows) state.putConsent(consentOf(row, state.intern));
        if (rows.length < LOAD_BATCH) break;
        if (this.destroyed) throw new Error('the process is stopping');
        // Let decisions (answered from PostgreSQL meanwhile) and the heartbeat run between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await runner.query('COMMIT');
      this.state = state;
      this.applied = Number(seq);
      this.observe(this.applied);
      this.needsReload = false;
      this.ended.clear();
      this.generation++;
      this.loadedInMs = Math.round(performance.now() - started);
      this.logger.log(`consent replica loaded ${state.consents.size} active consents in ${this.loadedInMs} ms`);
      this.loaded.resolve();
    } catch (e) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }

  /** Applies the next batch of changes after `applied`; reloads when the feed no longer holds applied+1. */
  private async catchUp(): Promise<void> {
    const changes = (await this.dataSource.query(
      `SELECT seq::text AS seq, consent_id, app_id, organisation_id FROM consent_changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [this.applied, CHANGES_BATCH],
    )) as { seq: string; consent_id: string | null; app_id: string | null; organisation_id: string | null }[];
    // Seqs are visible in commit order: a known change that is not there, or a hole, was pruned.
    if (changes.length === 0 || Number(changes[0]!.seq) !== this.applied + 1) {
      this.needsReload = true;
      this.logger.warn(`consent replica: change ${this.applied + 1} is no longer in consent_changes; reloading`);
      await this.load();
      return;
    }
    let n = 1;
    while (n < changes.length && Number(changes[n]!.seq) === this.applied + 1 + n) n++;
    const batch = changes.slice(0, n);
    const ids = (pick: (c: (typeof batch)[number]) => string | null) => [
      ...new Set(batch.map(pick).filter((id): id is string => id !== null)),
    ];
    const consentIds = ids((c) => c.consent_id);
    const appIds = ids((c) => c.app_id);
    const organisationIds = ids((c) => c.organisation_id);
    const [consentRows, appRows, organisationRows]: [ConsentRow[], AppRow[], OrganisationRow[]] = await Promise.all([
      consentIds.length ? (this.dataSource.query(SELECT_CONSENTS_BY_ID, [consentIds]) as Promise<ConsentRow[]>) : [],
      appIds.length ? (this.dataSource.query(SELECT_APPS_BY_ID, [appIds]) as Promise<AppRow[]>) : [],
      organisationIds.length
        ? (this.dataSource.query(SELECT_ORGANISATIONS_BY_ID, [organisationIds]) as Promise<OrganisationRow[]>)
        : [],
    ]);
    const state = this.state!;
    // Creating an app or an organisation is not a change of standing (no trigger): a consent of an
    // app created since the load brings its app, and the app its organisation.
    const newApps = [...new Set(consentRows.map((r) => r.app_id))].filter(
      (id) => !state.apps.has(id) && !appRows.some((a) => a.id === id),
    );
    if (newApps.length > 0) appRows.push(...((await this.dataSource.query(SELECT_APPS_BY_ID, [newApps])) as AppRow[]));
    const newOrganisations = [...new Set(appRows.map((r) => r.organisation_id))].filter(
      (id) => !state.organisations.has(id) && !organisationRows.some((o) => o.id === id),
    );
    if (newOrganisations.length > 0)
      organisationRows.push(
        ...((await this.dataSource.query(SELECT_ORGANISATIONS_BY_ID, [newOrganisations])) as OrganisationRow[]),
      );
    if (this.needsReload || this.destroyed) return;
    // Applied synchronously: a decision sees all of the batch or none of it.
    for (const row of organisationRows) state.organisations.set(row.id, organisationOf(row));
    const appsFound = new Set(appRows.map((r) => r.id));
    for (const row of appRows) state.putApp(appOf(row, state.intern));
    for (const id of appIds) if (!appsFound.has(id)) state.removeApp(id);
    const consentsFound = new Map(consentRows.map((r) => [r.id, r]));
    for (const id of consentIds) {
      const row = consentsFound.get(id);
      const old = state.removeConsent(id);
      if (row?.status === 'active') state.putConsent(consentOf(row, state.intern));
      this.forgetEnded(id, old ?? (row && { appId: row.app_id, environment: row.environment, customerSub: row.sub }));
    }
    if (consentIds.length > 0) this.generation++;
    this.applied += n;
  }

  private forgetEnded(
    consentId: string,
    whose: Pick<DecidingConsent, 'appId' | 'environment' | 'customerSub'> | undefined,
  ): void {
    this.ended.delete(consentId);
    if (whose) this.ended.delete(pairKey(whose.appId, whose.environment, whose.customerSub));
  }
}

function pairKey(appId: string, environment: ConsentEnvironment, sub: string): string {
  return `${appId}\u0000${environment}\u0000${sub}`;
}

function clientIdOfRow(row: AppRow, environment: ConsentEnvironment): string | null {
  return environment === 'production' ? row.production_client_id : row.sandbox_client_id;
}
