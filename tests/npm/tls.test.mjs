// The official SDKs (openai, Anthropic) against a gateway serving HTTPS with the self-signed test
// certificate (tests/http/fixtures/tls), trusted through NODE_EXTRA_CA_CERTS as a team would trust
// its LAN gateway's certificate; and the live request log read over the same TLS listener.
// Needs MAESTRO_BIN_DIR and NODE_EXTRA_CA_CERTS (set by CMake).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { ADMIN_TOKEN, Harness } from './harness.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'http', 'fixtures', 'tls');
const WORDS = 5;
const NODES = {
    ollama: { model: 'llama3:latest', display: 'tls-local' },
    openai: { model: 'gpt-4o-mini', display: 'tls-cloud' },
};

const harness = new Harness('maestro-tls');
let userToken;

before(async () => {
    assert.ok(process.env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS must name the test certificate');
    for (const [dialect, names] of Object.entries(NODES))
        names.url = await harness.startNode(dialect, [names.model], ['--delay-ms', '5', '--words', String(WORDS)]);
    await harness.startGateway(['--tls-cert', join(fixtures, 'cert.pem'), '--tls-key', join(fixtures, 'key.pem')]);
    assert.match(harness.gateway, /^https:\/\/127\.0\.0\.1:\d+$/);
    for (const [dialect, names] of Object.entries(NODES)) {
        await harness.addNode(`tls-${dialect}`, names.url, dialect);
        await harness.map(names.display, names.model);
    }
    userToken = await harness.userWithAllModels('tls-sdk-user');
});

after(() => harness.stop());

test('the gateway names the fingerprint of the certificate it serves', async () => {
    const status = await harness.admin('GET', '/admin/status');
    const certificate = new X509Certificate(readFileSync(join(fixtures, 'cert.pem')));
    assert.equal(status.tls.enabled, true);
    assert.equal(status.tls.fingerprint_sha256, certificate.fingerprint256);
    assert.equal(status.scheme, 'https');
});

test('plain HTTP to the HTTPS port is answered 400 and closed', async () => {
    const response = await fetch(harness.gateway.replace('https://', 'http://') + '/health');
    assert.equal(response.status, 400);
    assert.match((await response.json()).detail, /https:\/\//);
});

for (const [dialect, names] of Object.entries(NODES)) {
    describe(`over HTTPS, a model on an ${dialect}-dialect node`, () => {
        test('the OpenAI SDK chats, whole and streamed', async () => {
            const openai = new OpenAI({ baseURL: `${harness.gateway}/v1`, apiKey: userToken, maxRetries: 0, timeout: 20000 });
            const completion = await openai.chat.completions.create({
                model: names.display,
                messages: [{ role: 'user', content: 'Say hello' }],
            });
            assert.equal(completion.model, names.display);
            assert.equal(completion.choices[0].message.content.trim().split(/\s+/).length, WORDS);

            const stream = await openai.chat.completions.create({
                model: names.display,
                messages: [{ role: 'user', content: 'Say hello' }],
                stream: true,
            });
            let text = '';
            for await (const chunk of stream)
                text += chunk.choices[0]?.delta?.content ?? '';
            assert.equal(text.trim().split(/\s+/).length, WORDS);
        });

        test('the Anthropic SDK sends messages, whole and streamed', async () => {
            const anthropic = new Anthropic({ baseURL: harness.gateway, apiKey: userToken, maxRetries: 0, timeout: 20000 });
            const message = await anthropic.messages.create({
                model: names.display,
                max_tokens: 64,
                messages: [{ role: 'user', content: 'Say hello' }],
            });
            assert.equal(message.type, 'message');
            assert.equal(message.content[0].text.trim().split(/\s+/).length, WORDS);

            const stream = anthropic.messages.stream({
                model: names.display,
                max_tokens: 64,
                messages: [{ role: 'user', content: 'Say hello' }],
            });
            const final = await stream.finalMessage();
            assert.equal(final.content[0].text.trim().split(/\s+/).length, WORDS);
        });
    });
}

test('the live request log streams over HTTPS', async () => {
    const controller = new AbortController();
    const response = await fetch(`${harness.gateway}/admin/request-logs/stream?username=tls-sdk-user`, {
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/event-stream/);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let received = '';
    // Live before any entry: the first comment.
    while (!received.includes('\n\n'))
        received += decoder.decode((await reader.read()).value, { stream: true });

    const openai = new OpenAI({ baseURL: `${harness.gateway}/v1`, apiKey: userToken, maxRetries: 0, timeout: 20000 });
    await openai.chat.completions.create({ model: NODES.openai.display, messages: [{ role: 'user', content: 'logged?' }] });

    const deadline = Date.now() + 10000;
    let entry = null;
    while (!entry && Date.now() < deadline) {
        received += decoder.decode((await reader.read()).value, { stream: true });
        const match = /event: request\ndata: (.*)\n\n/.exec(received);
        if (match)
            entry = JSON.parse(match[1]);
    }
    controller.abort();
    assert.ok(entry, `no request event in: ${received}`);
    assert.equal(entry.username, 'tls-sdk-user');
    assert.equal(entry.model_name, NODES.openai.display);
    assert.equal(entry.status_code, 200);
});
