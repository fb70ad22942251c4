// Model Maestro driven by the official Anthropic SDK (@anthropic-ai/sdk) against fake nodes of
// both dialects. Run with `node --test`; needs MAESTRO_BIN_DIR.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import Anthropic from '@anthropic-ai/sdk';

import { Harness, lastNodeRequest } from './harness.mjs';

const WORDS = 6;
const NODES = {
    ollama: { model: 'llama3:latest', toolModel: 'tool-llama:latest', display: 'sdk-claude-local', toolDisplay: 'sdk-tools-local' },
    openai: { model: 'gpt-4o-mini', toolModel: 'tool-gpt', display: 'sdk-claude-cloud', toolDisplay: 'sdk-tools-cloud' },
};
const FINAL_TEXT = 'The weather tool said sunny';

const harness = new Harness('maestro-anthropic');
const toolNodes = {}; // dialect -> base URL
let userToken;

function client(options = {}) {
    return new Anthropic({ baseURL: harness.gateway, apiKey: userToken, maxRetries: 0, timeout: 20000, ...options });
}

const weatherTool = {
    name: 'get_weather',
    description: 'The current weather in a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

before(async () => {
    for (const [dialect, names] of Object.entries(NODES)) {
        const plain = await harness.startNode(dialect, [names.model], ['--delay-ms', '5', '--words', String(WORDS)]);
        toolNodes[dialect] = await harness.startNode(dialect, [names.toolModel], [
            '--tool-call', 'get_weather', '--tool-args', '{"city":"Oslo"}', '--tool-call-until-result', '--text', FINAL_TEXT,
        ]);
        names.plainUrl = plain;
    }
    await harness.startGateway();
    for (const [dialect, names] of Object.entries(NODES)) {
        await harness.addNode(`plain-${dialect}`, names.plainUrl, dialect);
        await harness.addNode(`tools-${dialect}`, toolNodes[dialect], dialect);
        await harness.map(names.display, names.model);
        await harness.map(names.toolDisplay, names.toolModel);
    }
    userToken = await harness.userWithAllModels('anthropic-sdk-user');
});

after(() => harness.stop());

for (const dialect of ['ollama', 'openai']) {
    const names = NODES[dialect];
    describe(`the Anthropic SDK with a model on an ${dialect}-dialect node`, () => {
        test('messages.create answers with a text block, the display name and usage', async () => {
            const message = await client().messages.create({
                model: names.display,
                max_tokens: 256,
                messages: [{ role: 'user', content: 'Say hello' }],
            });
            assert.equal(message.type, 'message');
            assert.equal(message.role, 'assistant');
            assert.equal(message.model, names.display);
            assert.equal(message.stop_reason, 'end_turn');
            assert.equal(message.content.length, 1);
            assert.equal(message.content[0].type, 'text');
            assert.equal(message.content[0].text.trim().split(/\s+/).length, WORDS);
            assert.ok(message.usage.input_tokens > 0);
            assert.equal(message.usage.output_tokens, WORDS);
        });

        test('the bearer token (authToken) works as well as x-api-key', async () => {
            const message = await client({ apiKey: null, authToken: userToken }).messages.create({
                model: names.display,
                max_tokens: 64,
                messages: [{ role: 'user', content: 'hi' }],
            });
            assert.equal(message.content[0].type, 'text');
        });

        test('messages.stream delivers text deltas in event order and a final message', async () => {
            const stream = client().messages.stream({
                model: names.display,
                max_tokens: 256,
                system: [{ type: 'text', text: 'Be brief.' }],
                messages: [{ role: 'user', content: 'Say hello' }],
            });
            const types = [];
            let deltas = 0;
            for await (const event of stream) {
                if (types.at(-1) !== event.type)
                    types.push(event.type);
                if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
                    ++deltas;
            }
            assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta',
                                     'content_block_stop', 'message_delta', 'message_stop']);
            assert.ok(deltas >= WORDS / 2, `only ${deltas} text deltas`);
            const final = await stream.finalMessage();
            assert.equal(final.model, names.display);
            assert.equal(final.stop_reason, 'end_turn');
            assert.equal(final.content[0].text.trim().split(/\s+/).length, WORDS);
            assert.equal(final.usage.output_tokens, WORDS);
        });

        test('a tool use round trip: tool_use block, then the tool_result reaches the node as a tool message', async () => {
            const question = { role: 'user', content: 'What is the weather in Oslo?' };
            const first = await client().messages.create({
                model: names.toolDisplay,
                max_tokens: 256,
                tools: [weatherTool],
                messages: [question],
            });
            assert.equal(first.stop_reason, 'tool_use');
            const call = first.content.find((block) => block.type === 'tool_use');
            assert.ok(call, JSON.stringify(first.content));
            assert.equal(call.name, 'get_weather');
            assert.deepEqual(call.input, { city: 'Oslo' });

            // The follow-up, streamed this time.
            const stream = client().messages.stream({
                model: names.toolDisplay,
                max_tokens: 256,
                tools: [weatherTool],
                messages: [
                    question,
                    { role: 'assistant', content: first.content },
                    { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny, 21 C' }] },
                ],
            });
            const final = await stream.finalMessage();
            assert.equal(final.content[0].type, 'text');
            assert.equal(final.content[0].text, FINAL_TEXT);

            const sent = await lastNodeRequest(toolNodes[dialect]);
            const toolMessage = sent.messages.at(-1);
            assert.equal(toolMessage.role, 'tool', JSON.stringify(sent.messages));
            assert.equal(toolMessage.content, 'Sunny, 21 C');
            const assistant = sent.messages.at(-2);
            assert.equal(assistant.role, 'assistant');
            assert.equal(assistant.tool_calls[0].function.name, 'get_weather');
            if (dialect === 'openai')
                assert.equal(toolMessage.tool_call_id, call.id);
            assert.equal(sent.tools[0].function.name, 'get_weather');
        });

        test('messages.countTokens estimates the input', async () => {
            const small = await client().messages.countTokens({
                model: names.display,
                messages: [{ role: 'user', content: 'Hi' }],
            });
            const large = await client().messages.countTokens({
                model: names.display,
                system: 'You are a careful assistant. '.repeat(20),
                tools: [weatherTool],
                messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse. '.repeat(50) }],
            });
            assert.ok(small.input_tokens >= 1);
            assert.ok(large.input_tokens > small.input_tokens * 50, `${large.input_tokens} vs ${small.input_tokens}`);
        });
    });
}

describe('the Anthropic SDK sees Anthropic errors', () => {
    test('a wrong key is an AuthenticationError (401)', async () => {
        await assert.rejects(
            client({ apiKey: 'not-a-token' }).messages.create({
                model: NODES.ollama.display, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }],
            }),
            (error) => error instanceof Anthropic.AuthenticationError && error.status === 401
                && error.error?.error?.type === 'authentication_error');
    });

    test('an unknown model is a NotFoundError (404)', async () => {
        await assert.rejects(
            client().messages.create({
                model: 'claude-nonexistent', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }],
            }),
            (error) => error instanceof Anthropic.NotFoundError && error.status === 404
                && error.error?.error?.type === 'not_found_error');
    });
});

describe('the Anthropic SDK with the seed\'s base URL <gateway>/claude', () => {
    const claude = (options = {}) => client({ baseURL: `${harness.gateway}/claude`, ...options });

    test('messages.create, messages.stream and countTokens answer as at the plain base URL', async () => {
        const message = await claude().messages.create({
            model: NODES.openai.display, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }],
        });
        assert.equal(message.type, 'message');
        assert.equal(message.model, NODES.openai.display);
        assert.equal(message.content[0].text.trim().split(/\s+/).length, WORDS);

        const stream = claude().messages.stream({
            model: NODES.ollama.display, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }],
        });
        const final = await stream.finalMessage();
        assert.equal(final.content[0].text.trim().split(/\s+/).length, WORDS);

        const counted = await claude().messages.countTokens({
            model: NODES.ollama.display, messages: [{ role: 'user', content: 'Say hello' }],
        });
        assert.ok(counted.input_tokens >= 1);
    });

    test('models.list pages through the models the user may use, with ids messages take back', async () => {
        const models = [];
        for await (const model of claude().models.list({ limit: 2 }))
            models.push(model);
        for (const names of Object.values(NODES)) {
            const listed = models.find((model) => model.display_name === names.display);
            assert.ok(listed, `${names.display} in ${models.map((model) => model.display_name)}`);
            // The seed's ids: claude-<display name>.
            assert.equal(listed.id, `claude-${names.display}`);
        }
        const id = `claude-${NODES.openai.display}`;
        assert.equal((await claude().models.retrieve(id)).display_name, NODES.openai.display);
        const message = await claude().messages.create({
            model: id, max_tokens: 16, messages: [{ role: 'user', content: 'Say hello' }],
        });
        assert.equal(message.model, id);
    });

    test('a wrong key is an AuthenticationError (401) there too', async () => {
        await assert.rejects(
            claude({ apiKey: 'not-a-token' }).messages.create({
                model: NODES.ollama.display, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }],
            }),
            (error) => error instanceof Anthropic.AuthenticationError && error.status === 401);
    });
});
