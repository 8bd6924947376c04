import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One stored version of a key, as a versioned bucket keeps it. */
export interface FakeS3Version {
  key: string;
  versionId: string;
  body: string;
  lastModified: Date;
  lockMode: string | undefined;
  retainUntil: string | undefined;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A versioned S3 bucket on 127.0.0.1, answering in S3's REST wire format
 * (path-style URLs, XML listings) the calls the checkpoint store makes:
 * PutObject (a new version each time; If-None-Match: * refused with 412 when
 * the key exists), ListObjectVersions (paged, `pageSize` versions a page)
 * and GetObject of a version. The real S3 client talks to it by endpoint.
 * A body the SDK sends aws-chunked (with a trailing checksum) is decoded.
 */
export async function startFakeS3(options: { bucket: string; pageSize?: number }) {
  const versions: FakeS3Version[] = [];
  const requests: string[] = [];
  let counter = 0;
  const pageSize = options.pageSize ?? 1000;
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    requests.push(`${request.method} ${key || '(bucket)'}${url.search}`);
    const xml = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'application/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
    };
    const error = (status: number, code: string) =>
      xml(status, `<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
    if (bucket !== options.bucket) return error(404, 'NoSuchBucket');

    if (request.method === 'PUT' && key) {
      if (request.headers['if-none-match'] === '*' && versions.some((v) => v.key === key)) {
        return error(412, 'PreconditionFailed');
      }
      const encoding = String(request.headers['content-encoding'] ?? '');
      const version: FakeS3Version = {
        key,
        versionId: `v${++counter}`,
        body: encoding.includes('aws-chunked') ? decodeChunked(raw) : raw,
        lastModified: new Date(Date.now() + counter),
        lockMode: request.headers['x-amz-object-lock-mode'] as string | undefined,
        retainUntil: request.headers['x-amz-object-lock-retain-until-date'] as string | undefined,
      };
      versions.push(version);
      response.writeHead(200, {
        etag: `"${version.versionId}"`,
        'x-amz-version-id': version.versionId,
      });
      return response.end();
    }
    if (request.method === 'GET' && !key && url.searchParams.has('versions')) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const matching = versions
        .filter((v) => v.key.startsWith(prefix))
        .sort((a, b) =>
          a.key === b.key
            ? b.lastModified.getTime() - a.lastModified.getTime()
            : a.key < b.key
              ? -1
              : 1,
        );
      const keyMarker = url.searchParams.get('key-marker');
      const versionMarker = url.searchParams.get('version-id-marker');
      const start = keyMarker
        ? matching.findIndex((v) => v.key === keyMarker && v.versionId === versionMarker) + 1
        : 0;
      const page = matching.slice(start, start + pageSize);
      const truncated = start + pageSize < matching.length;
      const last = page.at(-1);
      const latest = (v: FakeS3Version) => matching.find((m) => m.key === v.key) === v;
      return xml(
        200,
        `<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${options.bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><MaxKeys>${pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${
          truncated && last
            ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>`
            : ''
        }${page
          .map(
            (v) =>
              `<Version><Key>${escapeXml(v.key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest(v)}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>"${v.versionId}"</ETag><Size>${Buffer.byteLength(v.body)}</Size><StorageClass>STANDARD</StorageClass></Version>`,
          )
          .join('')}</ListVersionsResult>`,
      );
    }
    if (request.method === 'GET' && key) {
      const versionId = url.searchParams.get('versionId');
      const found = versionId
        ? versions.find((v) => v.key === key && v.versionId === versionId)
        : versions.filter((v) => v.key === key).at(-1);
      if (!found) return error(404, 'NoSuchKey');
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-version-id': found.versionId,
        'last-modified': found.lastModified.toUTCString(),
      });
      return response.end(found.body);
    }
    return error(400, 'NotImplemented');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    versions,
    /** Every request, as `METHOD key?query`, in order. */
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The payload of an aws-chunked body: `<hex size>[;…]\r\n<data>\r\n` until a 0-size chunk and trailers. */
function decodeChunked(raw: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) return out;
    const size = Number.parseInt(raw.slice(at, lineEnd).split(';')[0] ?? '0', 16);
    if (!size) return out;
    out += raw.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
