export const id = 163;
export const ids = [163];
export const modules = {

/***/ 8163:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openS3Backend: () => (/* binding */ openS3Backend)
});

// UNUSED EXPORTS: DEFAULT_S3_REGION

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: external "node:tls"
var external_node_tls_ = __webpack_require__(1692);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(3711);
// EXTERNAL MODULE: ./node_modules/@smithy/node-http-handler/dist-cjs/index.js
var node_http_handler_dist_cjs = __webpack_require__(1279);
// EXTERNAL MODULE: ./src/engine/index.ts + 139 modules
var engine = __webpack_require__(8591);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/credential-provider-node/dist-cjs/index.js
var credential_provider_node_dist_cjs = __webpack_require__(5861);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/credential-provider-web-identity/dist-cjs/index.js
var credential_provider_web_identity_dist_cjs = __webpack_require__(9956);
;// CONCATENATED MODULE: ./src/backends/s3/s3-credentials.ts
/**
 * Where S3 credentials come from, first match wins:
 * 1. explicit options (the action's aws-* inputs),
 * 2. the standard environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 *    AWS_SESSION_TOKEN (what aws-actions/configure-aws-credentials exports, OIDC included),
 * 3. a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), exchanged with
 *    STS for temporary credentials by the SDK's own provider,
 * 4. the AWS SDK's default chain for the rest: profiles in ~/.aws (AWS_PROFILE,
 *    AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE; SSO and credential_process profiles
 *    too), then the ECS container role, then the EC2 instance role (self-hosted runners).
 * 2 and 3 come before the chain (which has them too) so that a half-set pair is named.
 * The chain is asked at the first request; finding nothing there fails that request with
 * one line that says what to set.
 */




/** What to set, for every way of finding nothing. */
const WHAT_TO_SET = 'set the aws-access-key-id and aws-secret-access-key inputs, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
    '(aws-actions/configure-aws-credentials sets them), or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or AWS_PROFILE ' +
    'with a profile in ~/.aws, or run where an ECS task role or EC2 instance role provides them';
function resolveS3Credentials(s) {
    const explicit = staticPair(s.accessKeyId, s.secretAccessKey, s.sessionToken, 'aws-access-key-id', 'aws-secret-access-key');
    if (explicit)
        return { credentials: explicit, secrets: secretsOf(explicit) };
    const env = s.env;
    const fromEnv = staticPair(env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY');
    if (fromEnv)
        return { credentials: fromEnv, secrets: secretsOf(fromEnv) };
    const tokenFile = nonEmpty(env.AWS_WEB_IDENTITY_TOKEN_FILE);
    const roleArn = nonEmpty(env.AWS_ROLE_ARN);
    if (tokenFile && roleArn) {
        const exchange = (0,credential_provider_web_identity_dist_cjs.fromTokenFile)({
            webIdentityTokenFile: tokenFile,
            roleArn,
            roleSessionName: nonEmpty(env.AWS_ROLE_SESSION_NAME) ?? `chunkvault-${Date.now()}`,
            // STS is AWS's own endpoint: its own HTTP handler, so that a custom CA for the
            // storage server does not apply to it.
            clientConfig: { region: s.region, requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler() },
        });
        const secrets = [];
        const provider = async (props) => {
            try {
                return remember(await exchange(props), secrets, s.onSecret);
            }
            catch (e) {
                throw new S3CredentialsError(`web identity (role ${roleArn}, token file ${tokenFile})`, e);
            }
        };
        return { credentials: provider, secrets };
    }
    if (tokenFile || roleArn) {
        throw invalid(`S3 credentials: ${tokenFile ? 'AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not' : 'AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not'}; set both for web identity`);
    }
    return defaultChain(s);
}
/** The SDK's default chain, told the profile and files our environment names. */
function defaultChain(s) {
    const env = s.env;
    const chain = (0,credential_provider_node_dist_cjs.defaultProvider)({
        profile: nonEmpty(env.AWS_PROFILE),
        filepath: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE),
        configFilepath: nonEmpty(env.AWS_CONFIG_FILE),
        // STS and SSO are AWS's own endpoints: not the storage server's CA or handler.
        clientConfig: { region: s.region, requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler() },
        logger: SILENT_LOGGER,
    });
    const secrets = [];
    const provider = async (props) => {
        try {
            return remember(await chain(props), secrets, s.onSecret);
        }
        catch (e) {
            throw chainFailure(e);
        }
    };
    return { credentials: provider, secrets };
}
/**
 * The chain's last word, when no provider had anything, is the SDK's "Could not load
 * credentials from any providers": that becomes what to set. A provider that found its
 * source and failed (a profile naming a missing role, an unreachable container endpoint)
 * keeps its own message.
 */
function chainFailure(e) {
    const name = e instanceof Error ? e.name : '';
    const message = e instanceof Error ? e.message : String(e);
    if (name === 'CredentialsProviderError' && /from any providers/i.test(message)) {
        return new S3CredentialsError('the default chain', e, `no S3 credentials found: ${WHAT_TO_SET}`);
    }
    return new S3CredentialsError('the AWS SDK\'s default chain (profiles, ECS or EC2 roles)', e);
}
/** Adds what a provider returned to the secrets, the first time it returns them. */
function remember(c, secrets, onSecret) {
    for (const v of [c.secretAccessKey, c.sessionToken]) {
        if (!v || secrets.includes(v))
            continue;
        secrets.push(v);
        onSecret?.(v);
    }
    return c;
}
const SILENT_LOGGER = { trace() { }, debug() { }, info() { }, warn() { }, error() { } };
/** Getting credentials failed (before any request to the bucket): says from where, keeps the SDK's error as the cause. */
class S3CredentialsError extends Error {
    source;
    constructor(source, cause, message) {
        super(message ?? `could not get S3 credentials from ${source}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        this.name = 'S3CredentialsError';
        this.source = source;
    }
}
function staticPair(accessKeyId, secretAccessKey, sessionToken, idName, secretName) {
    const id = nonEmpty(accessKeyId);
    const secret = nonEmpty(secretAccessKey);
    if (!id && !secret)
        return undefined;
    if (!id)
        throw invalid(`S3 credentials: ${secretName} is set but ${idName} is not`);
    if (!secret)
        throw invalid(`S3 credentials: ${idName} is set but ${secretName} is not`);
    const token = nonEmpty(sessionToken);
    return token ? { accessKeyId: id, secretAccessKey: secret, sessionToken: token } : { accessKeyId: id, secretAccessKey: secret };
}
function secretsOf(c) {
    return [c.secretAccessKey, ...(c.sessionToken ? [c.sessionToken] : [])];
}
/** Trimmed, or undefined when empty: a key pasted into a secret often ends in a newline. */
function nonEmpty(v) {
    const t = v?.trim();
    return t === undefined || t === '' ? undefined : t;
}
function invalid(message) {
    return new engine/* ChunkvaultError */.Ge(engine/* ErrorCode */.O4.InvalidInput, message);
}

;// CONCATENATED MODULE: ./src/backends/s3/s3-errors.ts
/**
 * Turns whatever an S3 call threw (a service error, a network error, a credentials error)
 * into a BackendError whose kind the retry decorator acts on and whose message names the
 * object and the likely cause. The SDK's own error is not kept as the cause: S3 echoes the
 * canonical request in some error bodies, and that can hold the session token.
 */



const TRANSIENT_CODES = new Set([
    'SlowDown',
    'RequestTimeout',
    'InternalError',
    'ServiceUnavailable',
    'Throttling',
    'ThrottlingException',
    'TooManyRequests',
    'RequestLimitExceeded',
    'OperationAborted',
]);
const NETWORK_TRANSIENT = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENETDOWN',
    'ERR_STREAM_PREMATURE_CLOSE',
]);
const TLS_CODES = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
function toS3BackendError(e, ctx) {
    if (e instanceof engine/* BackendError */.Jh)
        return e;
    const where = `${ctx.op} ${ctx.target}`;
    const make = (kind, reason, cause) => new engine/* BackendError */.Jh(kind, redact(`${where}: ${reason}`, ctx.secrets), cause === undefined ? undefined : { cause });
    if (e instanceof S3CredentialsError) {
        // STS unreachable or throttling is worth another try; a rejected token or role is not.
        const { kind } = toS3BackendError(e.cause, ctx);
        return make(kind, e.message);
    }
    const status = httpStatusOf(e);
    const code = serviceCodeOf(e);
    if (status !== undefined || e instanceof dist_cjs/* S3ServiceException */.Hcp) {
        const label = `HTTP ${status ?? '?'}${code ? ` ${code}` : ''}`;
        const serverMessage = messageOf(e);
        switch (code) {
            case 'NoSuchKey':
                return make('not-found', `does not exist (${label})`);
            case 'NoSuchBucket':
                return ctx.missingBucketIsNotFound
                    ? make('not-found', `bucket '${ctx.bucket}' does not exist (${label}); init creates it`)
                    : make('permanent', `bucket '${ctx.bucket}' does not exist (${label}): check the repository location`);
            case 'AccessDenied':
            case 'AllAccessDisabled':
                return make('denied', `access denied (${label}): these credentials may not ${ctx.op} here; check the bucket policy or the IAM ` +
                    'permissions (s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket)');
            case 'InvalidAccessKeyId':
                return make('permanent', `the server does not know this access key id (${label}): check aws-access-key-id or AWS_ACCESS_KEY_ID, ` +
                    'and that the endpoint is the one the key belongs to');
            case 'SignatureDoesNotMatch':
                return make('permanent', `the request signature does not match (${label}): the secret access key is most likely wrong; ` +
                    'check aws-secret-access-key or AWS_SECRET_ACCESS_KEY');
            case 'RequestTimeTooSkewed':
                return make('permanent', `this machine's clock differs too much from the server's (${label})`);
            case 'ExpiredToken':
            case 'TokenRefreshRequired':
                return make('permanent', `the session token has expired (${label}): get fresh credentials`);
            case 'InvalidToken':
                return make('permanent', `the session token is not valid (${label}): check aws-session-token or AWS_SESSION_TOKEN`);
            case 'PermanentRedirect':
            case 'AuthorizationHeaderMalformed':
            case 'IllegalLocationConstraintException': {
                const actual = bucketRegionOf(e);
                return make('permanent', `the bucket is not in region ${ctx.region}${actual ? ` but in ${actual}` : ''} (${label}): ` +
                    'set aws-region (or AWS_REGION) to the bucket\'s region, or use the regional endpoint');
            }
            case 'InvalidRange':
                return make('permanent', `the requested byte range lies beyond the end of the object (${label})`);
        }
        if (code && TRANSIENT_CODES.has(code))
            return make('transient', `the server asks to try again (${label})`);
        if (status === 404)
            return make('not-found', `does not exist (${label})`);
        if (status !== undefined && (status >= 500 || status === 429 || status === 408)) {
            return make('transient', `server error (${label})${serverMessage ? `: ${serverMessage}` : ''}`);
        }
        if (status === 403) {
            return make('denied', `forbidden (${label}): the credentials may not ${ctx.op} here, or they are wrong; check the access key, ` +
                'the secret and the bucket policy');
        }
        if (status === 301 || status === 307) {
            return make('permanent', `redirected (${label}): the bucket is probably in another region than ${ctx.region}; set aws-region`);
        }
        return make('permanent', `request failed (${label})${serverMessage ? `: ${serverMessage}` : ''}`);
    }
    const netCode = nodeCodeOf(e);
    const name = e instanceof Error ? e.name : '';
    if (netCode && TLS_CODES.has(netCode)) {
        return make('permanent', `the server's TLS certificate is not trusted (${netCode}): for a self-signed or private CA, give its certificate as ca-file`, e);
    }
    if (netCode === 'EPROTO' || netCode === 'ERR_SSL_WRONG_VERSION_NUMBER') {
        return make('permanent', `TLS handshake failed (${netCode ?? name}): does the endpoint speak https on this port?`, e);
    }
    if (netCode === 'ENOTFOUND')
        return make('permanent', `host not found (ENOTFOUND): ${messageOf(e)}`, e);
    if ((netCode && NETWORK_TRANSIENT.has(netCode)) || name === 'TimeoutError') {
        return make('transient', `connection problem (${netCode ?? name}): ${messageOf(e)}`, e);
    }
    if (name === 'CredentialsProviderError') {
        return make('permanent', `could not get S3 credentials: ${messageOf(e)}`);
    }
    return make('permanent', messageOf(e) || String(e));
}
/** Whatever an error says, with known secrets removed. */
function redact(text, secrets) {
    let out = text;
    for (const s of secrets)
        if (s.length >= 4)
            out = out.split(s).join('***');
    return out;
}
function httpStatusOf(e) {
    const m = e?.$metadata?.httpStatusCode;
    if (typeof m === 'number')
        return m;
    const r = e?.$response?.statusCode;
    return typeof r === 'number' ? r : undefined;
}
function serviceCodeOf(e) {
    if (!(e instanceof Error))
        return undefined;
    const code = e.Code;
    if (typeof code === 'string' && code !== '')
        return code;
    return e.name && e.name !== 'Error' && e.name !== 'UnknownError' ? e.name : undefined;
}
function bucketRegionOf(e) {
    const headers = e?.$response?.headers;
    return headers?.['x-amz-bucket-region'] ?? e?.Region;
}
function nodeCodeOf(e) {
    let cur = e;
    for (let depth = 0; depth < 4 && cur; depth++) {
        const code = cur.code;
        if (typeof code === 'string')
            return code;
        cur = cur.cause;
    }
    return undefined;
}
function messageOf(e) {
    if (!(e instanceof Error))
        return '';
    const m = e.message;
    return m === 'UnknownError' || m === e.name ? '' : m;
}

// EXTERNAL MODULE: ./src/backends/s3/s3-location.ts
var s3_location = __webpack_require__(7842);
;// CONCATENATED MODULE: ./src/backends/s3/s3-backend.ts
/**
 * A repository in an S3 bucket (AWS S3 or any S3-compatible store), in restic's default
 * layout under an optional key prefix: `<prefix>/config`, `<prefix>/keys/<id>`,
 * `<prefix>/data/<2 hex>/<id>` ... exactly where restic 0.14 puts them, so that either tool
 * reads what the other wrote. The AWS SDK signs requests and parses XML; its retries are off
 * because the shared retry decorator retries, and every failure becomes a classified
 * BackendError (see s3-errors.ts).
 */












const DEFAULT_S3_REGION = 'us-east-1';
/** Giving up on a connection attempt; a stalled socket (no bytes either way) is given longer. */
const CONNECT_TIMEOUT_MS = 15_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;
const s3_backend_SILENT_LOGGER = { trace() { }, debug() { }, info() { }, warn() { }, error() { } };
/** Opens a parsed `s3:` location (parseS3Location, or the repository location's `s3`). */
function openS3Backend(loc, opts) {
    const region = s3_backend_nonEmpty(opts.region) ?? loc.regionFromHost ?? s3_backend_nonEmpty(opts.env.AWS_REGION) ?? s3_backend_nonEmpty(opts.env.AWS_DEFAULT_REGION) ?? DEFAULT_S3_REGION;
    const creds = resolveS3Credentials({ ...opts, region });
    const connections = Math.max(1, Math.floor(opts.connections));
    let ca;
    if (opts.caFile) {
        try {
            ca = (0,external_node_fs_.readFileSync)(opts.caFile, 'utf8');
        }
        catch (e) {
            throw new engine/* ChunkvaultError */.Ge(engine/* ErrorCode */.O4.InvalidInput, `cannot read the CA file ${opts.caFile}: ${e.message}`);
        }
    }
    const agentOptions = { keepAlive: true, maxSockets: connections };
    const client = new dist_cjs/* S3Client */.YxF({
        // Backends do not log: every failure reaches the caller as a classified error instead.
        // (With the SDK's default logger some warnings would still go to the console.)
        logger: s3_backend_SILENT_LOGGER,
        region,
        // AWS's generic host is left to the SDK, which picks the region's endpoint and follows a
        // bucket to its region; every other host is used as given.
        endpoint: loc.protocol === 'https:' && loc.host.toLowerCase() === 's3.amazonaws.com' ? undefined : `${loc.protocol}//${loc.host}`,
        forcePathStyle: opts.pathStyle ?? !loc.isAws,
        followRegionRedirects: loc.isAws,
        credentials: creds.credentials,
        maxAttempts: 1,
        // Checksums only where S3 requires them: the newer default (CRC32 on every upload)
        // is refused or mishandled by many S3-compatible servers. Uploads carry Content-MD5.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler({
            httpAgent: new external_node_http_.Agent(agentOptions),
            httpsAgent: new external_node_https_.Agent(ca === undefined ? agentOptions : { ...agentOptions, ca: [...external_node_tls_.rootCertificates, ca] }),
            connectionTimeout: CONNECT_TIMEOUT_MS,
            socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
            logger: s3_backend_SILENT_LOGGER,
        }),
    });
    return new S3Backend(client, loc, region, connections, creds.secrets);
}
class S3Backend {
    location;
    connections;
    #client;
    #loc;
    #region;
    #secrets;
    constructor(client, loc, region, connections, secrets) {
        this.#client = client;
        this.#loc = loc;
        this.#region = region;
        this.connections = connections;
        this.#secrets = secrets;
        this.location = (0,s3_location/* describeS3Location */.x)(loc);
    }
    /** Creates the bucket when it does not exist (as restic does); no directory objects are needed. */
    async create(opts) {
        if (await this.#bucketExists(opts)) {
            if (await (0,engine/* exists */.t2)(this, { type: 'config', name: '' }, opts)) {
                throw new engine/* BackendError */.Jh('permanent', `${this.location}: a repository already exists here (config found)`);
            }
            return;
        }
        const Bucket = this.#loc.bucket;
        // us-east-1 is S3's default and must not be named; other regions must be.
        const CreateBucketConfiguration = this.#region === DEFAULT_S3_REGION ? undefined : { LocationConstraint: this.#region };
        try {
            await this.#client.send(new dist_cjs/* CreateBucketCommand */.cZX({ Bucket, CreateBucketConfiguration }), { abortSignal: opts?.signal });
        }
        catch (e) {
            if (errorName(e) === 'BucketAlreadyOwnedByYou')
                return;
            this.#rethrow(e, 'create bucket', `${this.location} (bucket '${Bucket}')`, opts);
        }
    }
    async save(h, data, opts) {
        opts?.signal?.throwIfAborted();
        const parts = (0,engine/* payloadParts */.H1)(data);
        let size = 0;
        const md5 = (0,external_node_crypto_.createHash)('md5');
        for (const p of parts) {
            size += p.byteLength;
            md5.update(p);
        }
        // A pack's parts go out one after another as a stream of known length, never joined.
        const Body = parts.length === 1 ? parts[0] : external_node_stream_.Readable.from(parts, { objectMode: false });
        await this.#call('save', h, opts, () => this.#client.send(new dist_cjs/* PutObjectCommand */.wKZ({
            Bucket: this.#loc.bucket,
            Key: this.#key(h),
            Body,
            ContentLength: size,
            ContentMD5: md5.digest('base64'),
            ContentType: 'application/octet-stream',
        }), { abortSignal: opts?.signal }));
    }
    async load(h, length = 0, offset = 0, opts) {
        opts?.signal?.throwIfAborted();
        if (length < 0 || offset < 0)
            throw new engine/* BackendError */.Jh('permanent', `load ${this.#describe(h)}: negative length or offset`);
        const Range = length > 0 ? `bytes=${offset}-${offset + length - 1}` : offset > 0 ? `bytes=${offset}-` : undefined;
        return this.#call('load', h, opts, async () => {
            let out;
            try {
                out = await this.#client.send(new dist_cjs/* GetObjectCommand */.jLs({ Bucket: this.#loc.bucket, Key: this.#key(h), Range }), {
                    abortSignal: opts?.signal,
                });
            }
            catch (e) {
                // "From the end to the end" is an empty read, which S3 answers with 416.
                if (length === 0 && errorName(e) === 'InvalidRange' && (await this.stat(h, opts)).size === offset)
                    return new Uint8Array(0);
                throw e;
            }
            const expected = out.ContentLength;
            const bytes = await readBody(out.Body, expected, opts?.signal);
            if (length > 0 && bytes.byteLength !== length) {
                throw new engine/* BackendError */.Jh('permanent', `load ${this.#describe(h)}: short read, wanted ${length} bytes at ${offset}, got ${bytes.byteLength}`);
            }
            return bytes;
        });
    }
    async stat(h, opts) {
        opts?.signal?.throwIfAborted();
        return this.#call('stat', h, opts, async () => {
            const out = await this.#client.send(new dist_cjs/* HeadObjectCommand */.l81({ Bucket: this.#loc.bucket, Key: this.#key(h) }), {
                abortSignal: opts?.signal,
            });
            return { name: h.name, size: out.ContentLength ?? 0 };
        });
    }
    async *list(type, opts) {
        if (type === 'config')
            return;
        const dir = `${this.#key({ type, name: '' }).replace(/\/$/, '')}/`;
        let ContinuationToken;
        do {
            opts?.signal?.throwIfAborted();
            let page;
            try {
                page = await this.#client.send(new dist_cjs/* ListObjectsV2Command */.u6x({
                    Bucket: this.#loc.bucket,
                    Prefix: dir,
                    ContinuationToken,
                    // Packs sit one level down (data/ab/ab…); everything else directly in its directory.
                    Delimiter: type === 'data' ? undefined : '/',
                }), { abortSignal: opts?.signal });
            }
            catch (e) {
                this.#rethrow(e, 'list', `${this.location}/${engine/* DIR_OF */.QZ[type]}/`, opts);
            }
            for (const obj of page.Contents ?? []) {
                const name = nameInDirectory(type, obj.Key?.slice(dir.length) ?? '');
                if (name)
                    yield { name, size: obj.Size ?? 0 };
            }
            if (page.IsTruncated && !page.NextContinuationToken) {
                throw new engine/* BackendError */.Jh('permanent', `list ${this.location}/${engine/* DIR_OF */.QZ[type]}/: the server said there is more but gave no continuation token`);
            }
            ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
    }
    async remove(h, opts) {
        opts?.signal?.throwIfAborted();
        try {
            await this.#call('remove', h, opts, () => this.#client.send(new dist_cjs/* DeleteObjectCommand */.k4j({ Bucket: this.#loc.bucket, Key: this.#key(h) }), { abortSignal: opts?.signal }));
        }
        catch (e) {
            if (!(0,engine/* isNotFound */.c4)(e))
                throw e;
        }
    }
    async close() {
        this.#client.destroy();
    }
    async #bucketExists(opts) {
        try {
            await this.#client.send(new dist_cjs/* HeadBucketCommand */.kuI({ Bucket: this.#loc.bucket }), { abortSignal: opts?.signal });
            return true;
        }
        catch (e) {
            const status = e.$metadata?.httpStatusCode;
            if (status === 404)
                return false;
            // Credentials limited to a prefix may not look at the bucket itself: assume it is there, as restic does.
            if (status === 403)
                return true;
            this.#rethrow(e, 'look up bucket', `${this.location} (bucket '${this.#loc.bucket}')`, opts);
        }
    }
    async #call(op, h, opts, fn) {
        try {
            return await fn();
        }
        catch (e) {
            this.#rethrow(e, op, this.#describe(h), opts, h.type === 'config');
        }
    }
    #rethrow(e, op, target, opts, missingBucketIsNotFound = false) {
        // A cancelled call ends with the caller's reason, as the local backend's does.
        opts?.signal?.throwIfAborted();
        throw toS3BackendError(e, {
            op,
            target,
            bucket: this.#loc.bucket,
            region: this.#region,
            missingBucketIsNotFound,
            secrets: this.#secrets,
        });
    }
    #key(h) {
        const rel = h.name === '' && h.type !== 'config' ? engine/* DIR_OF */.QZ[h.type] : (0,engine/* relativePath */.iZ)(h);
        return this.#loc.prefix ? `${this.#loc.prefix}/${rel}` : rel;
    }
    #describe(h) {
        return `${this.location}/${(0,engine/* relativePath */.iZ)(h)}`;
    }
}
/** The id a listed key names, if it sits exactly where the layout puts files of this type. */
function nameInDirectory(type, rest) {
    if (type === 'data') {
        const slash = rest.indexOf('/');
        const name = rest.slice(slash + 1);
        return slash === 2 && (0,engine/* isId */.eQ)(name) && rest.slice(0, 2) === name.slice(0, 2) ? name : undefined;
    }
    return (0,engine/* isId */.eQ)(rest) ? rest : undefined;
}
/** Reads a response body into one buffer of the announced size, without intermediate copies. */
async function readBody(body, expected, signal) {
    if (body === undefined || body === null)
        return new Uint8Array(0);
    const stream = body;
    if (expected === undefined) {
        const chunks = [];
        for await (const c of stream)
            chunks.push(c);
        return Buffer.concat(chunks);
    }
    const out = new Uint8Array(expected);
    let done = 0;
    for await (const chunk of stream) {
        signal?.throwIfAborted();
        if (done + chunk.byteLength > expected)
            throw bodyLengthError(`the response body is longer than its Content-Length (${expected})`);
        out.set(chunk, done);
        done += chunk.byteLength;
    }
    if (done !== expected)
        throw bodyLengthError(`the response body ended after ${done} of ${expected} bytes`);
    return out;
}
/** A body that does not match its Content-Length is a broken transfer: worth another try. */
function bodyLengthError(message) {
    return Object.assign(new Error(message), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}
function errorName(e) {
    return e instanceof Error ? e.name : undefined;
}
function s3_backend_nonEmpty(v) {
    const t = v?.trim();
    return t === undefined || t === '' ? undefined : t;
}


/***/ })

};
