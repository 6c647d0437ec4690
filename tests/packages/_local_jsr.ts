/**
 * A small JSR registry on 127.0.0.1 for the end-to-end package tests: it takes what the real
 * `deno publish --token x` uploads (with `JSR_URL` pointing here) and serves it back the way
 * jsr.io does, so `deno run jsr:@cgan/sample` can load our packages as a user would.
 *
 * Publish side (under `api/`): `GET scopes/S/packages/P` (the package exists),
 * `GET scopes/S/packages/P/versions/V` (404 until published), `POST .../versions/V?config=...`
 * (a gzipped tar of the package files), answered with a finished publishing task.
 * Download side: `@S/P/meta.json`, `@S/P/V_meta.json` (a manifest with the SHA-256 of each
 * file, and the exports of the package's config) and the files themselves.
 *
 * @module
 */
import { readTar } from "../../src/data/_tar.ts";
import { gunzip } from "../../src/io/gzip.ts";
import { sha256Hex } from "../../src/io/hash.ts";

/** One published version: its files by absolute path inside the package (`/mod.ts`). */
interface Version {
  files: Map<string, Uint8Array>;
  exports: Record<string, string>;
}

/** A running local registry. */
export interface LocalJsr {
  /** The registry's base URL, for `JSR_URL` (ends with `/`). */
  url: string;
  /** Published packages, `@scope/name@version`. */
  published: () => string[];
  /** Files of a published version, by path. */
  files: (pkg: string, version: string) => Map<string, Uint8Array> | undefined;
  /** Stops the server. */
  close: () => Promise<void>;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function normalizeExports(raw: unknown): Record<string, string> {
  if (typeof raw === "string") return { ".": raw };
  return (raw ?? {}) as Record<string, string>;
}

/**
 * Starts the registry on a free port of 127.0.0.1.
 *
 * @returns The running registry.
 */
export function startLocalJsr(): LocalJsr {
  const packages = new Map<string, Map<string, Version>>(); // "@scope/name" -> version -> files

  async function publish(req: Request, pkg: string, version: string): Promise<Response> {
    const body = new Uint8Array(await req.arrayBuffer());
    const tar = req.headers.get("content-encoding") === "gzip"
      ? await gunzip(body, `${pkg}@${version} upload`)
      : body;
    const files = new Map<string, Uint8Array>();
    for (const entry of readTar(tar, `${pkg}@${version} upload`)) {
      files.set("/" + entry.path.replace(/^\/+/, ""), entry.data.slice());
    }
    const configPath = new URL(req.url).searchParams.get("config") ?? "/deno.json";
    const config = files.get(configPath);
    if (config === undefined) {
      return json({ code: "missingConfig", message: `upload has no ${configPath}` }, 400);
    }
    const exports = normalizeExports(JSON.parse(new TextDecoder().decode(config)).exports);
    if (!packages.has(pkg)) packages.set(pkg, new Map());
    packages.get(pkg)!.set(version, { files, exports });
    return json({ id: `${pkg}@${version}`, status: "success", error: null });
  }

  async function versionMeta(version: Version): Promise<Response> {
    const manifest: Record<string, { size: number; checksum: string }> = {};
    for (const [path, data] of version.files) {
      manifest[path] = { size: data.length, checksum: `sha256-${await sha256Hex(data)}` };
    }
    return json({ manifest, exports: version.exports });
  }

  async function handle(req: Request): Promise<Response> {
    const path = decodeURIComponent(new URL(req.url).pathname);
    let m = path.match(/^\/api\/scopes\/([^/]+)\/packages\/([^/]+)(?:\/versions\/([^/]+))?$/);
    if (m !== null) {
      const pkg = `@${m[1]}/${m[2]}`;
      const version = m[3];
      if (version !== undefined && req.method === "POST") return await publish(req, pkg, version);
      if (version === undefined) return json({ scope: m[1], name: m[2] });
      return packages.get(pkg)?.has(version)
        ? json({ scope: m[1], package: m[2], version })
        : json({ code: "versionNotFound", message: "not published" }, 404);
    }
    m = path.match(/^\/(@[^/]+\/[^/]+)\/meta\.json$/);
    if (m !== null) {
      const versions = packages.get(m[1]!);
      if (versions === undefined) return json({ code: "packageNotFound", message: m[1] }, 404);
      const [scope, name] = m[1]!.slice(1).split("/");
      const list = [...versions.keys()];
      return json({
        scope,
        name,
        latest: list.at(-1),
        versions: Object.fromEntries(list.map((v) => [v, {}])),
      });
    }
    m = path.match(/^\/(@[^/]+\/[^/]+)\/([^/]+)_meta\.json$/);
    if (m !== null) {
      const version = packages.get(m[1]!)?.get(m[2]!);
      return version === undefined
        ? json({ code: "versionNotFound", message: path }, 404)
        : await versionMeta(version);
    }
    m = path.match(/^\/(@[^/]+\/[^/]+)\/([^/]+)(\/.+)$/);
    if (m !== null) {
      const data = packages.get(m[1]!)?.get(m[2]!)?.files.get(m[3]!);
      if (data !== undefined) return new Response(data as Uint8Array<ArrayBuffer>);
    }
    return json({ code: "notFound", message: `${req.method} ${path}` }, 404);
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    published: () =>
      [...packages].flatMap(([pkg, versions]) => [...versions.keys()].map((v) => `${pkg}@${v}`)),
    files: (pkg, version) => packages.get(pkg)?.get(version)?.files,
    close: () => server.shutdown(),
  };
}
