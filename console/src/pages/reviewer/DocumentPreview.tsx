import { Alert, Box, Loader, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { toProblem, problemText } from '../../api/problem';

/**
 * A case document shown inline. The file is fetched with the session cookie (an <img src> to the API
 * would work too, but a blob lets the page say why it failed), then shown from a blob: URL: images in
 * an <img>, PDFs in an <iframe> (the console's CSP allows blob: for both). The server audits the read.
 */
export function DocumentPreview({
  organisationId,
  documentId,
  mimeType,
  label,
}: {
  organisationId: string;
  documentId: string;
  mimeType: string;
  /** What the document is, for its alt text and frame title, e.g. "Passport of Ada Lovelace". */
  label: string;
}) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const abort = new AbortController();
    let objectUrl: string | undefined;
    (async () => {
      const res = await fetch(`/v1/organisations/${organisationId}/documents/${documentId}/content`, {
        credentials: 'same-origin',
        signal: abort.signal,
      });
      if (!res.ok) throw toProblem(res.status, await res.json().catch(() => undefined));
      const blob = await res.blob();
      if (abort.signal.aborted) return;
      objectUrl = URL.createObjectURL(blob);
      setUrl(objectUrl);
    })().catch((err: unknown) => {
      if (!abort.signal.aborted) setError(err);
    });
    return () => {
      abort.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [organisationId, documentId]);

  if (error)
    return (
      <Alert color="red" title="The document could not be shown">
        {problemText(error)}
      </Alert>
    );
  if (!url)
    return (
      <Box py="md">
        <Loader size="sm" aria-label={`Loading ${label}`} />
      </Box>
    );
  if (mimeType === 'application/pdf')
    return (
      <iframe
        src={url}
        title={label}
        data-document-id={documentId}
        style={{
          width: '100%',
          height: 520,
          border: '1px solid var(--mantine-color-gray-4)',
        }}
      />
    );
  if (mimeType.startsWith('image/'))
    return (
      <img
        src={url}
        alt={label}
        data-document-id={documentId}
        style={{
          maxWidth: '100%',
          maxHeight: 520,
          border: '1px solid var(--mantine-color-gray-4)',
        }}
      />
    );
  return <Text c="dimmed">This kind of file ({mimeType}) cannot be shown here.</Text>;
}
