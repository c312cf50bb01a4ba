import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import busboy from 'busboy';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, DeepPartial } from 'typeorm';
import { Principal } from '../../auth/principal';
import { AuditRecord } from '../../audit/audit-chain';
import { AuditService } from '../../audit/audit.service';
import { sealSecret } from '../../common/crypto/master-key';
import { DomainError, FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { fieldErrors } from '../../common/http/validation';
import { Person } from '../people/person.entity';
import { decryptStream, encryptStream, newDataKey, unwrapDataKey, wrapDataKey } from './crypto/document-cipher';
import { CheckOutcome, CheckRecord } from '../checks/check.entity';
import { CheckView, developerCheckView } from '../checks/check-view';
import { DocumentVault } from './document-storage.provider';
import { IDENTITY_DOCUMENT_TYPES, KybDocument, PERSON_DOCUMENT_TYPES } from './document.entity';
import { UploadDocumentFieldsDto } from './dto/upload-document.dto';
import { FileInspector } from './file-inspector';
import { OrganisationRecordsService } from '../../organisations/organisation-records.service';

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
// Multipart framing and the text fields around the file.
const MAX_REQUEST_OVERHEAD = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DocumentView {
  id: string;
  type: string;
  personId: string | null;
  status: string;
  mimeType: string;
  size: number;
  sha256: string;
  documentNumber: string | null;
  issuingCountry: string | null;
  expiresOn: string | null;
  createdAt: string;
  checks: CheckView[];
}

export const documentView = (d: KybDocument, checks: CheckView[] = []): DocumentView => ({
  id: d.id,
  type: d.type,
  personId: d.personId,
  status: d.status,
  mimeType: d.mimeType,
  size: d.size,
  sha256: d.sha256,
  documentNumber: d.documentNumber,
  issuingCountry: d.issuingCountry,
  expiresOn: d.expiresOn,
  createdAt: d.createdAt.toISOString(),
  checks,
});

const tooLarge = () =>
  new DomainError('payload_too_large', `A document may be at most ${MAX_DOCUMENT_BYTES} bytes (10 MiB)`);

/** A name shown to reviewers only: the last path segment, printable, at most 255 characters. */
function displayName(name: string | undefined): string | null {
  if (!name) return null;
  if (/[/\\\0]|\.\./.test(name)) {
    throw new ValidationFailedError([
      { field: 'file', message: 'the file name must not contain path separators or ".."' },
    ]);
  }
  return name.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 255);
}

interface ParsedUpload {
  fields: Record<string, string>;
  file?: { inspector: FileInspector; declaredType: string; fileName: string | null; truncated: boolean };
}

type UploadedFile = NonNullable<ParsedUpload['file']>;

interface StoredUpload {
  documentId: string;
  storageKey: string;
  dataKey: Buffer;
  fields: UploadDocumentFieldsDto;
  file: UploadedFile;
  detected: string;
}

/** Refuses before reading a byte: 413 when the declared length is over the limit, 415 unless multipart/form-data. */
function assertUploadRequest(req: Request): void {
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  if (declaredLength > MAX_DOCUMENT_BYTES + MAX_REQUEST_OVERHEAD) throw tooLarge();
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    throw new DomainError('unsupported_media_type', 'Upload documents as multipart/form-data with a "file" part');
  }
}

/**
 * The type the bytes show (PDF, JPEG or PNG), which must match a declared type other than
 * application/octet-stream (415 otherwise), of a file that is whole (422 when truncated or corrupt).
 */
function verifiedContentType(file: UploadedFile): string {
  const detected = file.inspector.detectedType();
  if (!detected)
    throw new DomainError(
      'unsupported_media_type',
      'Only PDF, JPEG and PNG files are accepted; this file is none of them',
    );
  if (file.declaredType !== 'application/octet-stream' && file.declaredType !== detected) {
    throw new DomainError(
      'unsupported_media_type',
      `The file was declared as ${file.declaredType} but its content is ${detected}`,
    );
  }
  const { problem } = file.inspector.completeness(detected);
  if (problem) {
    throw new DomainError('validation_failed', 'The file is incomplete or corrupt', {
      errors: [{ field: 'file', message: problem }],
    });
  }
  return detected;
}

@Injectable()
export class DocumentsService {
  private readonly logger = new Logger(DocumentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly vault: DocumentVault,
    private readonly audit: AuditService,
  ) {}

  /**
   * Streams the upload straight through hashing, type sniffing and encryption into storage, never
   * holding more than a chunk in memory; then checks everything and either records the document or
   * deletes what was stored. The bytes decide the type, not the name or the declared header.
   */
  async upload(orgId: string, principal: Principal, req: Request, requestId?: string): Promise<DocumentView> {
    assertUploadRequest(req);
    const documentId = randomUUID();
    const storageKey = `${orgId.toLowerCase()}/${documentId}`;
    const dataKey = newDataKey();

    let stored = false;
    try {
      const parsed = await this.parseAndStore(
        req,
        { documentId, organisationId: orgId, dataKey },
        storageKey,
        () => (stored = true),
      );
      const fields = this.validateFields(parsed);
      const file = parsed.file!;
      const detected = verifiedContentType(file);
      return await this.recordUpload(
        orgId,
        principal,
        { documentId, storageKey, dataKey, fields, file, detected },
        requestId,
      );
    } catch (e) {
      if (stored)
        await this.vault.storage
          .delete(storageKey)
          .catch((err: Error) => this.logger.error(`could not remove refused upload ${storageKey}: ${err.message}`));
      throw e;
    }
  }

  /** Records the stored, checked file under the organisation's edit lock (409 once submitted) and audits it. */
  private recordUpload(
    orgId: string,
    principal: Principal,
    upload: StoredUpload,
    requestId?: string,
  ): Promise<DocumentView> {
    const masterKey = this.vault.masterKey();
    return this.dataSource.transaction(async (m) => {
      await this.organisations.lockEditable(m, orgId);
      const { personId } = upload.fields;
      if (personId) {
        const person = await m.getRepository(Person).findOneBy({ id: personId, organisationId: orgId });
        if (!person)
          throw new ValidationFailedError([{ field: 'personId', message: 'no such person in this organisation' }]);
      }
      const repo = m.getRepository(KybDocument);
      const doc = await repo.save(repo.create(newDocumentRow(orgId, principal, upload, masterKey)));
      await this.audit.append(m, documentUploadedAudit(orgId, principal, doc, requestId));
      return documentView(doc);
    });
  }

  async list(orgId: string): Promise<DocumentView[]> {
    const docs = await this.dataSource
      .getRepository(KybDocument)
      .find({ where: { organisationId: orgId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return docs.map((d) => documentView(d));
  }

  /** Metadata with the results of the latest submission's checks of this document. */
  async get(orgId: string, documentId: string): Promise<DocumentView> {
    const doc = await this.find(orgId, documentId);
    const submission = (await this.organisations.find(orgId))?.submissionCount ?? null;
    const checks = (await this.dataSource.query(
      `SELECT c.* FROM checks c
        WHERE c.organisation_id = $1 AND c.submission = $3 AND c.subject_type = 'document' AND c.subject_id = $2
        ORDER BY c.name`,
      [orgId, doc.id, submission],
    )) as {
      subject_type: 'document';
      subject_id: string;
      name: string;
      result: CheckOutcome;
      detail: Record<string, unknown>;
    }[];
    const views = checks
      .map((c) =>
        developerCheckView({
          subjectType: c.subject_type,
          subjectId: c.subject_id,
          name: c.name,
          result: c.result,
          detail: c.detail,
        } as CheckRecord),
      )
      .filter((c): c is CheckView => c !== undefined);
    return documentView(doc, views);
  }

  /** Streams the decrypted file. A chunk that fails its tag aborts the response: nothing altered is served. */
  async streamContent(
    orgId: string,
    documentId: string,
    principal: Principal,
    res: Response,
    requestId?: string,
  ): Promise<void> {
    const doc = await this.find(orgId, documentId);
    if (principal.kind === 'staff') {
      await this.dataSource.transaction((m) =>
        this.audit.append(m, {
          actor: { type: 'staff', id: principal.userId },
          action: 'document.viewed',
          subject: { type: 'document', id: doc.id },
          after: { organisationId: orgId, type: doc.type },
          requestId,
        }),
      );
    }
    const dataKey = unwrapDataKey(doc.wrappedKey, this.vault.masterKey(), doc.id);
    const source = await this.vault.storage.get(doc.storageKey);
    const extension = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' }[doc.mimeType] ?? 'bin';
    res.status(200);
    res.setHeader('Content-Type', doc.mimeType);
    res.setHeader('Content-Length', String(doc.size));
    res.setHeader('Content-Disposition', `attachment; filename="${doc.type}-${doc.id}.${extension}"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(source, decryptStream({ documentId: doc.id, organisationId: orgId, dataKey }), res);
    } catch (e) {
      this.logger.error(`document ${doc.id} failed integrity or transfer: ${(e as Error).message}`);
      // Headers are gone; cutting the connection is how the client learns the body is not whole.
      res.destroy(e as Error);
    }
  }

  async remove(orgId: string, documentId: string, principal: Principal, requestId?: string): Promise<void> {
    const key = await this.dataSource.transaction(async (m) => {
      await this.organisations.lockEditable(m, orgId);
      const doc = await this.find(orgId, documentId, m);
      await m.query(`DELETE FROM documents WHERE id = $1 AND organisation_id = $2`, [doc.id, orgId]);
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'document.deleted',
        subject: { type: 'organisation', id: orgId },
        before: { documentId: doc.id, type: doc.type, sha256: doc.sha256 },
        requestId,
      });
      return doc.storageKey;
    });
    await this.vault.storage.delete(key);
  }

  private async find(orgId: string, documentId: string, m = this.dataSource.manager): Promise<KybDocument> {
    const doc = UUID.test(documentId)
      ? await m.getRepository(KybDocument).findOneBy({ id: documentId, organisationId: orgId })
      : null;
    if (!doc) throw new NotFoundError('Document');
    return doc;
  }

  private validateFields(parsed: ParsedUpload): UploadDocumentFieldsDto {
    const errors: FieldError[] = [];
    if (!parsed.file) errors.push({ field: 'file', message: 'a "file" part is required' });
    else if (parsed.file.inspector.size === 0) errors.push({ field: 'file', message: 'the file is empty' });
    const dto = plainToInstance(UploadDocumentFieldsDto, parsed.fields);
    errors.push(...fieldErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true })));
    if (dto.type && (PERSON_DOCUMENT_TYPES as string[]).includes(dto.type) && !dto.personId) {
      errors.push({ field: 'personId', message: `a ${dto.type} belongs to a person: personId is required` });
    }
    if (dto.type && !(PERSON_DOCUMENT_TYPES as string[]).includes(dto.type) && dto.personId) {
      errors.push({ field: 'personId', message: `a ${dto.type} belongs to the organisation, not a person` });
    }
    if (dto.mrz && !(IDENTITY_DOCUMENT_TYPES as readonly string[]).includes(dto.type))
      errors.push({ field: 'mrz', message: 'only identity documents have an MRZ' });
    if (errors.length) throw new ValidationFailedError(errors);
    return dto;
  }

  private parseAndStore(
    req: Request,
    cipher: { documentId: string; organisationId: string; dataKey: Buffer },
    storageKey: string,
    onStored: () => void,
  ): Promise<ParsedUpload> {
    return new Promise<ParsedUpload>((resolve, reject) => {
      // A throw here (malformed headers) rejects this promise, as an executor's throw does.
      const bb = multipartParser(req);
      const result: ParsedUpload = { fields: {} };
      let storing: Promise<void> | undefined;
      let failed = false;
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        req.unpipe(bb);
        req.resume();
        reject(e);
      };

      bb.on('field', (name, value) => {
        if (name in result.fields)
          return fail(new ValidationFailedError([{ field: name, message: 'given more than once' }]));
        result.fields[name] = value;
      });
      bb.on('file', (name, stream, info) => {
        storing = this.storeFilePart(result, { name, stream, info }, { cipher, storageKey, onStored }, fail) ?? storing;
      });
      bb.on('error', (e: Error) =>
        fail(new DomainError('validation_failed', `Malformed multipart request: ${e.message}`)),
      );
      bb.on('close', () => {
        if (failed) return;
        (storing ?? Promise.resolve()).then(
          () => (failed ? undefined : resolve(result)),
          () => undefined,
        );
      });
      req.on('aborted', () => fail(new DomainError('validation_failed', 'The upload was interrupted')));
      req.pipe(bb);
    });
  }
  /**
   * Takes the one "file" part: refuses (422) any other file part or a file name with a path, then
   * pipes the bytes through the inspector and the cipher into storage. Returns the storing
   * promise, or undefined when the part was refused.
   */
  private storeFilePart(
    result: ParsedUpload,
    part: { name: string; stream: Readable; info: busboy.FileInfo },
    sink: {
      cipher: { documentId: string; organisationId: string; dataKey: Buffer };
      storageKey: string;
      onStored: () => void;
    },
    fail: (e: unknown) => void,
  ): Promise<void> | undefined {
    const { name, stream, info } = part;
    let fileName: string | null;
    try {
      fileName = acceptedFileName(name, info.filename, result.file !== undefined);
    } catch (e) {
      stream.resume();
      fail(e);
      return undefined;
    }
    const inspector = new FileInspector();
    const file = {
      inspector,
      declaredType: (info.mimeType || 'application/octet-stream').toLowerCase(),
      fileName,
      truncated: false,
    };
    result.file = file;
    stream.on('limit', () => {
      file.truncated = true;
      stream.destroy(tooLarge());
    });
    const encrypted = new PassThrough();
    const storing = Promise.all([
      pipeline(stream, inspector, encryptStream(sink.cipher), encrypted),
      this.vault.storage.put(sink.storageKey, encrypted as Readable).then(sink.onStored),
    ]).then(() => undefined);
    storing.catch((e: unknown) => fail(file.truncated ? tooLarge() : e));
    return storing;
  }
}

/**
 * The busboy parser for an upload. preservePath: see the name as sent, so a path in it is refused
 * rather than silently trimmed. Throws 415 unsupported_media_type when busboy refuses the headers.
 */
function multipartParser(req: Request): busboy.Busboy {
  try {
    // busboy flags a file that *reaches* fileSize, so the limit is one byte past the largest allowed.
    return busboy({
      headers: req.headers,
      preservePath: true,
      limits: { fileSize: MAX_DOCUMENT_BYTES + 1, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
    });
  } catch (e) {
    throw new DomainError('unsupported_media_type', `Malformed multipart request: ${(e as Error).message}`);
  }
}

/**
 * The display name of the one accepted file part. Throws 422 for a part not named "file", for a
 * second file, or (from displayName) for a file name that is unusable.
 */
function acceptedFileName(partName: string, sentName: string | undefined, haveFile: boolean): string | null {
  if (partName !== 'file' || haveFile) {
    throw new ValidationFailedError([
      {
        field: partName,
        message: partName === 'file' ? 'only one file per upload' : 'unexpected file part; send the document as "file"',
      },
    ]);
  }
  return displayName(sentName);
}

/** The document row for a stored upload; the MRZ is sealed and the data key wrapped under the master key. */
function newDocumentRow(
  orgId: string,
  principal: Principal,
  upload: StoredUpload,
  masterKey: Buffer,
): DeepPartial<KybDocument> {
  const { documentId, storageKey, dataKey, fields, file, detected } = upload;
  return {
    id: documentId,
    organisationId: orgId,
    personId: fields.personId ?? null,
    type: fields.type,
    status: 'uploaded',
    mimeType: detected,
    size: file.inspector.size,
    sha256: file.inspector.sha256(),
    fileName: file.fileName,
    documentNumber: fields.documentNumber ?? null,
    issuingCountry: fields.issuingCountry ?? null,
    expiresOn: fields.expiresOn ?? null,
    mrz: fields.mrz ? sealSecret(masterKey, fields.mrz, `mrz:${documentId}`) : null,
    storageKey,
    wrappedKey: wrapDataKey(dataKey, masterKey, documentId),
    uploadedBy: principal.userId,
  };
}

/** The `document.uploaded` audit entry: what was uploaded (type, size, hash), never its content or MRZ. */
function documentUploadedAudit(
  orgId: string,
  principal: Principal,
  doc: KybDocument,
  requestId: string | undefined,
): AuditRecord {
  return {
    actor: { type: 'developer', id: principal.userId },
    action: 'document.uploaded',
    subject: { type: 'organisation', id: orgId },
    after: {
      documentId: doc.id,
      type: doc.type,
      personId: doc.personId,
      mimeType: doc.mimeType,
      size: doc.size,
      sha256: doc.sha256,
    },
    requestId,
  };
}
