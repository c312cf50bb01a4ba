import { csrfHeaders } from '../../api/client';
import { toProblem } from '../../api/problem';
import type { KybDocument } from './words';

/**
 * Uploads one KYB document (`POST /v1/organisations/:orgId/documents`, multipart) with
 * XMLHttpRequest, whose upload events give progress (fetch has none). `onProgress` gets the
 * fraction sent, 0 to 1. Resolves with the stored document; rejects with an ApiProblem carrying
 * the server's problem detail (e.g. a file that is not a PDF, JPEG or PNG, or over 10 MiB).
 */
export function uploadDocument(
  orgId: string,
  file: File,
  fields: Record<string, string>,
  onProgress: (fraction: number) => void,
): Promise<KybDocument> {
  const path = `/v1/organisations/${encodeURIComponent(orgId)}/documents`;
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
  form.append('file', file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(csrfHeaders(path))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) {
        onProgress(1);
        resolve(body as KybDocument);
      } else reject(toProblem(xhr.status, body));
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.send(form);
  });
}
