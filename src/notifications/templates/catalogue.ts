import { html } from './html';
import { EmailBody, RenderedEmail, layout } from './layout';

/** What each template needs. Tokens travel in template data only until the email is sent. */
export interface TemplateData {
  'verify-email': { name: string; token: string };
  'password-reset': { name: string; token: string };
  invitation: { organisationName: string; inviterName: string; role: string; token: string };
  'submission-received': { organisationName: string; organisationId: string };
  'information-requested': {
    organisationName: string;
    organisationId: string;
    items: { requirement: string; message: string }[];
    deadline: string;
  };
  'organisation-approved': { organisationName: string; organisationId: string };
  'organisation-rejected': { organisationName: string; organisationId: string; reasons: string[]; note?: string };
  'organisation-suspended': { organisationName: string; organisationId: string; reason: string };
  'organisation-reinstated': { organisationName: string; organisationId: string };
  'app-approved': { appName: string; organisationId: string; appId: string };
  'app-rejected': { appName: string; organisationId: string; appId: string; reasons: string[] };
  'app-information-requested': {
    appName: string;
    organisationId: string;
    appId: string;
    items: { requirement: string; message: string }[];
  };
  'app-suspended': { appName: string; organisationId: string; appId: string; reason: string };
  'app-reinstated': { appName: string; organisationId: string; appId: string; reason: string };
  'credentials-rotated': { appName: string; environment: string; graceEndsAt: string };
  'certificate-issued': { appName: string; thumbprint: string; notAfter: string };
  'certificate-expiring': { appName: string; thumbprint: string; notAfter: string; daysLeft: number };
  'review-digest': { newTasks: number };
  'sla-at-risk': { taskId: string; taskType: string; dueAt: string };
  'consent-expiring': { appName: string; organisationName: string; consentId: string; expiresAt: string };
  'consent-revoked-inactivity': { appName: string; organisationName: string; inactivityDays: number };
  'consent-granted': {
    appName: string;
    organisationName: string;
    consentId: string;
    wording: string;
    dataList: { title: string; description: string }[];
    expiresAt: string;
    receiptSha256: string;
  };
  /** `idleSince`: last use, or the grant when `used` is false; `revokeOn` = idleSince + inactivityDays. */
  'consent-inactivity-warning': {
    appName: string;
    organisationName: string;
    consentId: string;
    idleSince: string;
    used: boolean;
    inactivityDays: number;
    revokeOn: string;
  };
  'consent-expired': { appName: string; organisationName: string; expiredAt: string };
}

export type TemplateName = keyof TemplateData;

/** Template data fields that are secrets (tokens): removed from the outbox row once sent. */
export const SECRET_FIELDS: Partial<Record<TemplateName, string[]>> = {
  'verify-email': ['token'],
  'password-reset': ['token'],
  invitation: ['token'],
};

type Builder<T> = (data: T, ctx: { publicUrl: string }) => EmailBody;

const link = (publicUrl: string, path: string, token?: string) =>
  `${publicUrl}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);
/** A date as customers read it, "30 December 2026" (UTC, the day the schedulers count in). */
export const customerDay = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(iso),
  );
/** Bank customers have no Gatehouse account: their emails say why they get them instead. */
const CUSTOMER_FOOTER =
  'You are receiving this because you gave an app access to your bank data. We will never ask for your password or security codes by email.';
const consentLink = (publicUrl: string, consentId: string) => link(publicUrl, `/customer/consents/${consentId}`);

const builders: { [K in TemplateName]: Builder<TemplateData[K]> } = {
  'verify-email': (d, { publicUrl }) => ({
    subject: 'Confirm your email address',
    text: [
      `Hello ${d.name},`,
      'Please confirm this email address to finish setting up your Gatehouse developer account. The link works for 24 hours.',
      'If you did not sign up, you can ignore this email.',
    ],
    html: html`<p>Hello ${d.name},</p>
      <p>
        Please confirm this email address to finish setting up your Gatehouse developer account. The link works for 24
        hours.
      </p>
      <p>If you did not sign up, you can ignore this email.</p>`,
    action: { label: 'Confirm email address', url: link(publicUrl, '/verify-email', d.token) },
  }),
  'password-reset': (d, { publicUrl }) => ({
    subject: 'Reset your Gatehouse password',
    text: [
      `Hello ${d.name},`,
      'Someone asked to reset the password of your Gatehouse account. The link works for one hour and only once; using it signs you out everywhere.',
      'If it was not you, ignore this email: your password stays as it is.',
    ],
    html: html`<p>Hello ${d.name},</p>
      <p>
        Someone asked to reset the password of your Gatehouse account. The link works for one hour and only once; using
        it signs you out everywhere.
      </p>
      <p>If it was not you, ignore this email: your password stays as it is.</p>`,
    action: { label: 'Choose a new password', url: link(publicUrl, '/reset-password', d.token) },
  }),
  invitation: (d, { publicUrl }) => ({
    subject: `${d.inviterName} invited you to ${d.organisationName} on Gatehouse`,
    text: [
      `${d.inviterName} invited you to join ${d.organisationName} on Gatehouse as ${d.role}.`,
      'The invitation works once, for this email address only, and expires in 7 days.',
    ],
    html: html`<p>
        ${d.inviterName} invited you to join <strong>${d.organisationName}</strong> on Gatehouse as
        <strong>${d.role}</strong>.
      </p>
      <p>The invitation works once, for this email address only, and expires in 7 days.</p>`,
    action: { label: 'Accept the invitation', url: link(publicUrl, '/invitations/accept', d.token) },
  }),
  'submission-received': (d, { publicUrl }) => ({
    subject: `We received ${d.organisationName}'s verification`,
    text: [
      `Thank you: we received the verification details of ${d.organisationName}.`,
      'Our automated checks run first, then a compliance reviewer looks at the case, usually within two working days. We will email you when there is a decision or if we need anything else.',
    ],
    html: html`<p>Thank you: we received the verification details of <strong>${d.organisationName}</strong>.</p>
      <p>
        Our automated checks run first, then a compliance reviewer looks at the case, usually within two working days.
        We will email you when there is a decision or if we need anything else.
      </p>`,
    action: {
      label: 'See the verification status',
      url: link(publicUrl, `/organisations/${d.organisationId}/verification`),
    },
  }),
  'information-requested': (d, { publicUrl }) => ({
    subject: `We need more information about ${d.organisationName}`,
    text: [
      `Our reviewer needs more information to verify ${d.organisationName}:`,
      d.items.map((i) => `- ${i.requirement}: ${i.message}`).join('\n'),
      `Please update the organisation and resubmit by ${day(d.deadline)}. After that date, production access is suspended until the items are answered.`,
    ],
    html: html`<p>Our reviewer needs more information to verify <strong>${d.organisationName}</strong>:</p>
      <ul>
        ${d.items.map((i) => html`<li><strong>${i.requirement}</strong>: ${i.message}</li>`)}
      </ul>
      <p>
        Please update the organisation and resubmit by <strong>${day(d.deadline)}</strong>. After that date, production
        access is suspended until the items are answered.
      </p>`,
    action: { label: 'Answer the requests', url: link(publicUrl, `/organisations/${d.organisationId}/verification`) },
  }),
  'organisation-approved': (d, { publicUrl }) => ({
    subject: `${d.organisationName} is verified`,
    text: [`Good news: ${d.organisationName} is now verified.`, 'Your apps can now ask for production access.'],
    html: html`<p>Good news: <strong>${d.organisationName}</strong> is now verified.</p>
      <p>Your apps can now ask for production access.</p>`,
    action: { label: 'Go to your organisation', url: link(publicUrl, `/organisations/${d.organisationId}`) },
  }),
  'organisation-rejected': (d, { publicUrl }) => ({
    subject: `${d.organisationName} could not be verified`,
    text: [
      `We could not verify ${d.organisationName}, for these reasons:`,
      d.reasons.map((r) => `- ${r}`).join('\n'),
      ...(d.note ? [`Reviewer's note: ${d.note}`] : []),
      'If you think this is a mistake, reply to this email.',
    ],
    html: html`<p>We could not verify <strong>${d.organisationName}</strong>, for these reasons:</p>
      <ul>
        ${d.reasons.map((r) => html`<li>${r}</li>`)}
      </ul>
      ${d.note ? html`<p>Reviewer's note: ${d.note}</p>` : html``}
      <p>If you think this is a mistake, reply to this email.</p>`,
    action: { label: 'See the decision', url: link(publicUrl, `/organisations/${d.organisationId}/verification`) },
  }),
  'organisation-suspended': (d) => ({
    subject: `${d.organisationName} is suspended`,
    text: [
      `${d.organisationName} has been suspended. Production access of all its apps has stopped.`,
      `Reason: ${d.reason}`,
      'Reply to this email to talk to our compliance team.',
    ],
    html: html`<p>
        <strong>${d.organisationName}</strong> has been suspended. Production access of all its apps has stopped.
      </p>
      <p>Reason: ${d.reason}</p>
      <p>Reply to this email to talk to our compliance team.</p>`,
  }),
  'organisation-reinstated': (d) => ({
    subject: `${d.organisationName} is reinstated`,
    text: [`${d.organisationName} has been reinstated. Production access of its approved apps works again.`],
    html: html`<p>
      <strong>${d.organisationName}</strong> has been reinstated. Production access of its approved apps works again.
    </p>`,
  }),
  'app-approved': (d, { publicUrl }) => ({
    subject: `${d.appName} is approved for production`,
    text: [
      `${d.appName} is approved for production access.`,
      'Issue its production secret (shown once) and, for high-risk scopes, a client certificate.',
    ],
    html: html`<p><strong>${d.appName}</strong> is approved for production access.</p>
      <p>Issue its production secret (shown once) and, for high-risk scopes, a client certificate.</p>`,
    action: { label: 'Open the app', url: link(publicUrl, `/organisations/${d.organisationId}/apps/${d.appId}`) },
  }),
  'app-rejected': (d, { publicUrl }) => ({
    subject: `${d.appName} was not approved for production`,
    text: [
      `${d.appName} was not approved for production access, for these reasons:`,
      d.reasons.map((r) => `- ${r}`).join('\n'),
      'You can change the request and ask again.',
    ],
    html: html`<p><strong>${d.appName}</strong> was not approved for production access, for these reasons:</p>
      <ul>
        ${d.reasons.map((r) => html`<li>${r}</li>`)}
      </ul>
      <p>You can change the request and ask again.</p>`,
    action: { label: 'Open the app', url: link(publicUrl, `/organisations/${d.organisationId}/apps/${d.appId}`) },
  }),
  'app-information-requested': (d, { publicUrl }) => ({
    subject: `More information needed for ${d.appName}`,
    text: [
      `A reviewer needs more information before ${d.appName} can have production access:`,
      d.items.map((i) => `- ${i.message}`).join('\n'),
      'Update the app and ask for production access again.',
    ],
    html: html`<p>A reviewer needs more information before <strong>${d.appName}</strong> can have production access:</p>
      <ul>
        ${d.items.map((i) => html`<li>${i.message}</li>`)}
      </ul>
      <p>Update the app and ask for production access again.</p>`,
    action: { label: 'Open the app', url: link(publicUrl, `/organisations/${d.organisationId}/apps/${d.appId}`) },
  }),
  'app-suspended': (d) => ({
    subject: `${d.appName}'s production access is suspended`,
    text: [
      `Production access of ${d.appName} is suspended: its production secrets and client certificates stop working at once.`,
      `Reason: ${d.reason}`,
      'Sandbox access is not affected. Reply to this email to talk to us.',
    ],
    html: html`<p>
        Production access of <strong>${d.appName}</strong> is suspended: its production secrets and client certificates
        stop working at once.
      </p>
      <p>Reason: ${d.reason}</p>
      <p>Sandbox access is not affected. Reply to this email to talk to us.</p>`,
  }),
  'app-reinstated': (d) => ({
    subject: `${d.appName}'s production access is restored`,
    text: [`Production access of ${d.appName} is restored: its production secrets and client certificates work again.`],
    html: html`<p>
      Production access of <strong>${d.appName}</strong> is restored: its production secrets and client certificates
      work again.
    </p>`,
  }),
  'credentials-rotated': (d) => ({
    subject: `New ${d.environment} secret for ${d.appName}`,
    text: [
      `A new ${d.environment} client secret was issued for ${d.appName}.`,
      `The previous secret keeps working until ${d.graceEndsAt}, then stops.`,
      'If you did not do this, revoke the new secret and tell us at once.',
    ],
    html: html`<p>A new ${d.environment} client secret was issued for <strong>${d.appName}</strong>.</p>
      <p>The previous secret keeps working until ${d.graceEndsAt}, then stops.</p>
      <p>If you did not do this, revoke the new secret and tell us at once.</p>`,
  }),
  'certificate-issued': (d) => ({
    subject: `Client certificate issued for ${d.appName}`,
    text: [
      `A client certificate was issued for ${d.appName}.`,
      `SHA-256 thumbprint: ${d.thumbprint}`,
      `Valid until: ${d.notAfter}`,
    ],
    html: html`<p>A client certificate was issued for <strong>${d.appName}</strong>.</p>
      <p>SHA-256 thumbprint: <code>${d.thumbprint}</code><br />Valid until: ${d.notAfter}</p>`,
  }),
  'certificate-expiring': (d) => ({
    subject: `${d.appName}'s client certificate expires in ${d.daysLeft} days`,
    text: [
      `The client certificate ${d.thumbprint} of ${d.appName} expires on ${d.notAfter}.`,
      'Issue a new certificate beside it and switch over before then, so nothing stops.',
    ],
    html: html`<p>
        The client certificate <code>${d.thumbprint}</code> of <strong>${d.appName}</strong> expires on ${d.notAfter}.
      </p>
      <p>Issue a new certificate beside it and switch over before then, so nothing stops.</p>`,
  }),
  'review-digest': (d, { publicUrl }) => ({
    subject: `${d.newTasks} new review ${d.newTasks === 1 ? 'task' : 'tasks'} waiting`,
    text: [`${d.newTasks} new review ${d.newTasks === 1 ? 'task is' : 'tasks are'} waiting in the queue.`],
    html: html`<p>${d.newTasks} new review ${d.newTasks === 1 ? 'task is' : 'tasks are'} waiting in the queue.</p>`,
    action: { label: 'Open the review queue', url: link(publicUrl, '/review') },
  }),
  'sla-at-risk': (d, { publicUrl }) => ({
    subject: `Review task at risk of missing its SLA`,
    text: [`A ${d.taskType} review task has used 80% of its time and nobody has claimed it.`, `It is due ${d.dueAt}.`],
    html: html`<p>A ${d.taskType} review task has used 80% of its time and nobody has claimed it.</p>
      <p>It is due ${d.dueAt}.</p>`,
    action: { label: 'Open the task', url: link(publicUrl, `/review/tasks/${d.taskId}`) },
  }),
  'consent-expiring': (d, { publicUrl }) => ({
    subject: `Your permission for ${d.appName} ends on ${customerDay(d.expiresAt)}`,
    text: [
      `The access you gave ${d.appName} (${d.organisationName}) to your bank data ends on ${customerDay(d.expiresAt)}, the end date you agreed to.`,
      `You do not need to do anything: it stops by itself. If you want to keep using ${d.appName} after that, it will ask for your permission again.`,
    ],
    html: html`<p>
        The access you gave <strong>${d.appName}</strong> (${d.organisationName}) to your bank data ends on
        ${customerDay(d.expiresAt)}, the end date you agreed to.
      </p>
      <p>
        You do not need to do anything: it stops by itself. If you want to keep using ${d.appName} after that, it will
        ask for your permission again.
      </p>`,
    action: { label: 'See what it can access', url: consentLink(publicUrl, d.consentId) },
    footer: CUSTOMER_FOOTER,
  }),
  'consent-revoked-inactivity': (d) => ({
    subject: `We stopped ${d.appName}'s access to your data`,
    text: [
      `${d.appName} (${d.organisationName}) had not used the access you gave it to your bank data for ${d.inactivityDays} days, so we ended it for you.`,
      `If you want to use ${d.appName} again, it will ask for your permission again.`,
    ],
    html: html`<p>
        <strong>${d.appName}</strong> (${d.organisationName}) had not used the access you gave it to your bank data for
        ${d.inactivityDays} days, so we ended it for you.
      </p>
      <p>If you want to use ${d.appName} again, it will ask for your permission again.</p>`,
    footer: CUSTOMER_FOOTER,
  }),
  'consent-granted': (d, { publicUrl }) => ({
    subject: `You gave ${d.appName} access to your data`,
    text: [
      d.wording,
      'What it can see:',
      ...d.dataList.map((i) => `- ${i.title}: ${i.description}`),
      `It ends on ${customerDay(d.expiresAt)} at the latest. You can narrow or revoke it at any time: ${consentLink(publicUrl, d.consentId)}`,
      `Your receipt's fingerprint, which shows exactly what you agreed to if you ever need to prove it: ${d.receiptSha256}`,
    ],
    html: html`<p>${d.wording}</p>
      <p>What it can see:</p>
      <ul>
        ${d.dataList.map((i) => html`<li><strong>${i.title}</strong>: ${i.description}</li>`)}
      </ul>
      <p>
        It ends on ${customerDay(d.expiresAt)} at the latest.
        <a href="${consentLink(publicUrl, d.consentId)}">You can narrow or revoke it at any time</a>.
      </p>
      <p>
        Your receipt's fingerprint, which shows exactly what you agreed to if you ever need to prove it:
        <code>${d.receiptSha256}</code>
      </p>`,
    footer: CUSTOMER_FOOTER,
  }),
  'consent-inactivity-warning': (d, { publicUrl }) => {
    const since = d.used
      ? `has not used the access you gave it to your bank data since ${customerDay(d.idleSince)}`
      : `has not used the access you gave it to your bank data since you gave it on ${customerDay(d.idleSince)}`;
    const rule = `Access an app leaves unused for ${d.inactivityDays} days is ended for you, so it will end on ${customerDay(d.revokeOn)}.`;
    const choice = `You do not need to do anything. If you want ${d.appName} to keep this access, use the app before then.`;
    return {
      subject: `${d.appName}'s access to your data ends on ${customerDay(d.revokeOn)} unless it is used`,
      text: [`${d.appName} (${d.organisationName}) ${since}.`, rule, choice],
      html: html`<p><strong>${d.appName}</strong> (${d.organisationName}) ${since}.</p>
        <p>${rule}</p>
        <p>${choice}</p>`,
      action: { label: 'See what it can access', url: consentLink(publicUrl, d.consentId) },
      footer: CUSTOMER_FOOTER,
    };
  },
  'consent-expired': (d) => ({
    subject: `${d.appName}'s access to your data has ended`,
    text: [
      `The access you gave ${d.appName} (${d.organisationName}) to your bank data ended on ${customerDay(d.expiredAt)}, the end date you agreed to.`,
      `If you want to keep using ${d.appName}, it will ask for your permission again.`,
    ],
    html: html`<p>
        The access you gave <strong>${d.appName}</strong> (${d.organisationName}) to your bank data ended on
        ${customerDay(d.expiredAt)}, the end date you agreed to.
      </p>
      <p>If you want to keep using ${d.appName}, it will ask for your permission again.</p>`,
    footer: CUSTOMER_FOOTER,
  }),
};

export class TemplateError extends Error {}

export function isTemplateName(name: string): name is TemplateName {
  return Object.prototype.hasOwnProperty.call(builders, name);
}

/** Renders a stored message. Throws TemplateError (a permanent failure) for unknown templates or bad data. */
export function renderEmail(
  template: string,
  data: Record<string, unknown>,
  ctx: { publicUrl: string },
): RenderedEmail {
  if (!isTemplateName(template)) throw new TemplateError(`unknown template "${template}"`);
  try {
    return layout((builders[template] as Builder<unknown>)(data, ctx));
  } catch (e) {
    throw new TemplateError(`template "${template}" failed: ${(e as Error).message}`);
  }
}
