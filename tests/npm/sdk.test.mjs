// Model Maestro driven by the official client SDKs (openai, ollama), against two fake nodes:
// one speaking the Ollama dialect, one the OpenAI dialect. Run with `node --test`; needs
// MAESTRO_BIN_DIR (the build's bin/ directory, with model-maestro and fake-upstream).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import OpenAI from 'openai';
import { Ollama } from 'ollama';

const binDir = process.env.MAESTRO_BIN_DIR;
if (!binDir)
    throw new Error('MAESTRO_BIN_DIR must point at the build\'s bin/ directory');

const ADMIN_TOKEN = 'sdk-test-admin-token';
const WORDS = 6;

// The models each fake node serves, and what users see.
const OLLAMA_CHAT = 'llama3:latest';
const OLLAMA_EMBED = 'nomic-embed-text:latest';
const OPENAI_CHAT = 'gpt-4o-mini';
const OPENAI_EMBED = 'text-embedding-3-small';
const MAPPED = {
    ollama: { chat: 'team-llama', embed: 'team-embed-local' },
    openai: { chat: 'team-gpt', embed: 'team-embed-cloud' },
};

const children = [];
let dataDir;
let gateway; // http://127.0.0.1:PORT
let userToken;

// Starts a program and resolves with the URL from its ready line.
function startProcess(program, args, env, readyPattern) {
    return new Promise((resolve, reject) => {
        const child = spawn(program, args, {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        let stderr = '';
        child.stderr.on('data', (chunk) => { stderr += chunk; });
        const timer = setTimeout(() => {
            reject(new Error(`${program} printed no ready line within 15 s; stderr: ${stderr}`));
        }, 15000);
        const lines = createInterface({ input: child.stdout });
        lines.on('line', (line) => {
            const match = readyPattern.exec(line);
            if (match) {
                clearTimeout(timer);
                resolve(match[1]);
            }
        });
        child.on('error', (error) => { clearTimeout(timer); reject(error); });
        child.on('exit', (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`${program} exited early (code ${code}, signal ${signal}); stderr: ${stderr}`));
        });
    });
}

function stopProcess(child) {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null)
            return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 7000);
        child.once('exit', () => { clearTimeout(timer); resolve(); });
        child.kill('SIGTERM');
    });
}

async function admin(method, path, body) {
    const response = await fetch(gateway + path, {
        method,
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
}

function openai(apiKey = userToken) {
    return new OpenAI({ baseURL: `${gateway}/v1`, apiKey, maxRetries: 0, timeout: 20000 });
}

function ollama() {
    return new Ollama({ host: gateway, headers: { Authorization: `Bearer ${userToken}` } });
}

function assertVector(vector, label) {
    assert.ok(vector && typeof vector.length === 'number' && vector.length > 0,
              `${label}: not a vector: ${JSON.stringify(vector)}`);
    for (const value of vector)
        assert.ok(Number.isFinite(value) && Math.abs(value) <= 1e6, `${label}: bad value ${value}`);
}

before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'maestro-sdk-'));
    const upstreamReady = /^fake-upstream listening on (http:\/\/\S+)$/;
    const ollamaNode = await startProcess(join(binDir, 'fake-upstream'), [
        '--dialect', 'ollama', '--listen', '127.0.0.1:0', '--models', `${OLLAMA_CHAT},${OLLAMA_EMBED}`,
        '--delay-ms', '5', '--words', String(WORDS),
    ], {}, upstreamReady);
    const openaiNode = await startProcess(join(binDir, 'fake-upstream'), [
        '--dialect', 'openai', '--listen', '127.0.0.1:0', '--models', `${OPENAI_CHAT},${OPENAI_EMBED}`,
        '--delay-ms', '5', '--words', String(WORDS),
    ], {}, upstreamReady);
    gateway = await startProcess(join(binDir, 'model-maestro'), [
        '--headless', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
    ], { MAESTRO_ADMIN_TOKEN: ADMIN_TOKEN, QT_QPA_PLATFORM: 'offscreen' },
    /^Model Maestro listening on (http:\/\/\S+)$/);

    const nodeA = await admin('POST', '/admin/nodes', { name: 'fake-ollama', base_url: ollamaNode, node_type: 'ollama' });
    const nodeB = await admin('POST', '/admin/nodes', { name: 'fake-openai', base_url: openaiNode, node_type: 'openai' });
    assert.ok(nodeA.id && nodeB.id);
    await admin('POST', `/admin/nodes/${nodeA.id}/sync-models`);
    await admin('POST', `/admin/nodes/${nodeB.id}/sync-models`);
    await admin('POST', '/admin/model-mappings', { display_name: MAPPED.ollama.chat, real_name: OLLAMA_CHAT });
    await admin('POST', '/admin/model-mappings', { display_name: MAPPED.ollama.embed, real_name: OLLAMA_EMBED });
    await admin('POST', '/admin/model-mappings', { display_name: MAPPED.openai.chat, real_name: OPENAI_CHAT });
    await admin('POST', '/admin/model-mappings', { display_name: MAPPED.openai.embed, real_name: OPENAI_EMBED });
    const user = await admin('POST', '/admin/users', { username: 'sdk-user' });
    userToken = user.token;
    assert.ok(userToken);
    await admin('POST', '/admin/users/sdk-user/models/all');
});

after(async () => {
    await Promise.all(children.map(stopProcess));
    if (dataDir)
        rmSync(dataDir, { recursive: true, force: true });
});

for (const dialect of ['ollama', 'openai']) {
    const chatModel = MAPPED[dialect].chat;
    const embedModel = MAPPED[dialect].embed;

    describe(`openai SDK, ${dialect} node`, () => {
        test('chat.completions.create without streaming answers under the display name', async () => {
            const completion = await openai().chat.completions.create({
                model: chatModel,
                messages: [{ role: 'user', content: 'Say hello' }],
            });
            assert.equal(completion.model, chatModel);
            assert.equal(completion.object, 'chat.completion');
            assert.equal(completion.choices.length, 1);
            assert.equal(completion.choices[0].message.role, 'assistant');
            assert.equal(completion.choices[0].message.content.trim().split(/\s+/).length, WORDS);
            assert.ok(completion.usage.completion_tokens > 0);
        });

        test('chat.completions.create with streaming relays every chunk', async () => {
            const stream = await openai().chat.completions.create({
                model: chatModel,
                messages: [{ role: 'user', content: 'Say hello' }],
                stream: true,
                stream_options: { include_usage: true },
            });
            let text = '';
            let chunks = 0;
            let finish = null;
            for await (const chunk of stream) {
                ++chunks;
                assert.equal(chunk.model, chatModel);
                assert.equal(chunk.object, 'chat.completion.chunk');
                for (const choice of chunk.choices) {
                    text += choice.delta?.content ?? '';
                    finish = choice.finish_reason ?? finish;
                }
            }
            assert.ok(chunks >= WORDS, `only ${chunks} chunks`);
            assert.equal(text.trim().split(/\s+/).length, WORDS);
            assert.equal(finish, 'stop');
        });

        test('embeddings.create decodes the base64 the SDK asks for by default', async () => {
            const client = openai();
            const input = ['the quick brown fox', 'jumps over'];
            const byDefault = await client.embeddings.create({ model: embedModel, input });
            const asFloats = await client.embeddings.create({ model: embedModel, input, encoding_format: 'float' });
            assert.equal(byDefault.model, embedModel);
            assert.equal(byDefault.data.length, 2);
            assert.equal(asFloats.data.length, 2);
            for (let i = 0; i < 2; ++i) {
                const a = Array.from(byDefault.data[i].embedding);
                const b = asFloats.data[i].embedding;
                assertVector(a, `base64 vector ${i}`);
                assertVector(b, `float vector ${i}`);
                assert.equal(a.length, b.length);
                // base64 carries float32: equal up to float32 precision.
                for (let j = 0; j < a.length; ++j)
                    assert.ok(Math.abs(a[j] - b[j]) <= 1e-6 * Math.max(1, Math.abs(b[j])),
                              `component ${j}: ${a[j]} != ${b[j]}`);
            }
        });
    });

    describe(`ollama SDK, ${dialect} node`, () => {
        test('chat without streaming', async () => {
            const response = await ollama().chat({
                model: chatModel,
                messages: [{ role: 'user', content: 'Say hello' }],
                stream: false,
            });
            assert.equal(response.model, chatModel);
            assert.equal(response.message.role, 'assistant');
            assert.equal(response.message.content.trim().split(/\s+/).length, WORDS);
            assert.equal(response.done, true);
        });

        test('chat with streaming relays every piece', async () => {
            const stream = await ollama().chat({
                model: chatModel,
                messages: [{ role: 'user', content: 'Say hello' }],
                stream: true,
            });
            let text = '';
            let parts = 0;
            let last = null;
            for await (const part of stream) {
                ++parts;
                assert.equal(part.model, chatModel);
                text += part.message?.content ?? '';
                last = part;
            }
            assert.ok(parts >= WORDS, `only ${parts} parts`);
            assert.equal(text.trim().split(/\s+/).length, WORDS);
            assert.equal(last.done, true);
        });

        test('generate', async () => {
            const response = await ollama().generate({ model: chatModel, prompt: 'Say hello', stream: false });
            assert.equal(response.model, chatModel);
            assert.equal(response.response.trim().split(/\s+/).length, WORDS);
            assert.equal(response.done, true);

            let text = '';
            for await (const part of await ollama().generate({ model: chatModel, prompt: 'Again', stream: true }))
                text += part.response;
            assert.equal(text.trim().split(/\s+/).length, WORDS);
        });

        test('embed', async () => {
            const response = await ollama().embed({ model: embedModel, input: ['one', 'two', 'three'] });
            assert.equal(response.model, embedModel);
            assert.equal(response.embeddings.length, 3);
            response.embeddings.forEach((vector, i) => assertVector(vector, `embedding ${i}`));
        });
    });
}

describe('model lists', () => {
    test('openai SDK models.list shows the display names, not the mapped real names', async () => {
        const ids = [];
        for await (const model of openai().models.list())
            ids.push(model.id);
        for (const name of [MAPPED.ollama.chat, MAPPED.ollama.embed, MAPPED.openai.chat, MAPPED.openai.embed])
            assert.ok(ids.includes(name), `${name} missing from ${ids}`);
        for (const real of [OLLAMA_CHAT, OLLAMA_EMBED, OPENAI_CHAT, OPENAI_EMBED])
            assert.ok(!ids.includes(real), `${real} should be hidden behind its mapping: ${ids}`);
    });

    test('ollama SDK list shows the display names of both nodes', async () => {
        const { models } = await ollama().list();
        const names = models.map((model) => model.name);
        for (const name of [MAPPED.ollama.chat, MAPPED.ollama.embed, MAPPED.openai.chat, MAPPED.openai.embed])
            assert.ok(names.includes(name), `${name} missing from ${names}`);
        for (const real of [OLLAMA_CHAT, OPENAI_CHAT])
            assert.ok(!names.includes(real), `${real} should be hidden behind its mapping: ${names}`);
    });
});

describe('errors through the openai SDK', () => {
    test('a bad token raises AuthenticationError (401)', async () => {
        await assert.rejects(
            openai('mm-not-a-real-token').chat.completions.create({
                model: MAPPED.ollama.chat,
                messages: [{ role: 'user', content: 'hi' }],
            }),
            (error) => {
                assert.ok(error instanceof OpenAI.AuthenticationError, `got ${error?.constructor?.name}: ${error}`);
                assert.equal(error.status, 401);
                return true;
            });
    });

    test('an unknown model raises NotFoundError (404)', async () => {
        await assert.rejects(
            openai().chat.completions.create({
                model: 'no-such-model',
                messages: [{ role: 'user', content: 'hi' }],
            }),
            (error) => {
                assert.ok(error instanceof OpenAI.NotFoundError, `got ${error?.constructor?.name}: ${error}`);
                assert.equal(error.status, 404);
                return true;
            });
    });
});
