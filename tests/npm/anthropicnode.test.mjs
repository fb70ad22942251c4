// The official Anthropic SDK (@anthropic-ai/sdk) through the gateway to an Anthropic node (the
// fake Anthropic API of fake-upstream --dialect anthropic): tool use, streaming, signed thinking
// carried back, count_tokens answered by the node. Run with `node --test`; needs MAESTRO_BIN_DIR.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import Anthropic from '@anthropic-ai/sdk';

import { Harness } from './harness.mjs';

const NODE_KEY = 'sk-ant-npm-node-key';
const REAL = 'claude-sonnet-4-5';
const DISPLAY = 'sdk-sonnet';
const FINAL_TEXT = 'It is sunny in Oslo';

const harness = new Harness('maestro-anthropicnode');
let userToken;

function client() {
    return new Anthropic({ baseURL: harness.gateway, apiKey: userToken, maxRetries: 0, timeout: 20000 });
}

const weatherTool = {
    name: 'get_weather',
    description: 'The current weather in a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

before(async () => {
    const node = await harness.startNode('anthropic', [REAL], [
        '--api-key', NODE_KEY, '--tool-call', 'get_weather', '--tool-args', '{"city":"Oslo"}', '--text', FINAL_TEXT,
    ]);
    await harness.startGateway();
    const created = await harness.admin('POST', '/admin/nodes',
        { name: 'anthropic', base_url: node, node_type: 'anthropic', api_key: NODE_KEY });
    assert.ok(created.id, JSON.stringify(created));
    await harness.map(DISPLAY, REAL);
    userToken = await harness.userWithAllModels('anthropic-node-user');
});

after(() => harness.stop());

describe('the Anthropic SDK with a model on an Anthropic node', () => {
    test('a tool loop with thinking, streamed, keeps the signed thinking it sends back', async () => {
        const request = {
            model: DISPLAY,
            max_tokens: 8000,
            thinking: { type: 'enabled', budget_tokens: 2048 },
            tools: [weatherTool],
            messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        };
        const first = await client().messages.stream(request).finalMessage();
        assert.equal(first.model, DISPLAY);
        assert.equal(first.stop_reason, 'tool_use');
        const [thinking, toolUse] = first.content;
        assert.equal(thinking.type, 'thinking');
        assert.ok(thinking.signature.length > 0, 'the signature reached the SDK');
        assert.equal(toolUse.type, 'tool_use');
        assert.deepEqual(toolUse.input, { city: 'Oslo' });

        const second = await client().messages.create({
            ...request,
            messages: [
                ...request.messages,
                { role: 'assistant', content: first.content },
                { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'sunny' }] },
            ],
        });
        assert.equal(second.stop_reason, 'end_turn');
        assert.equal(second.content.find((block) => block.type === 'text').text, FINAL_TEXT);
        assert.ok(second.usage.input_tokens > 0);
    });

    test('countTokens is the node\'s own count', async () => {
        const counted = await client().messages.countTokens({
            model: DISPLAY, messages: [{ role: 'user', content: 'one two three' }],
        });
        // The fake answers its word count plus 1000, which no local estimate comes near.
        assert.equal(counted.input_tokens, 1003);
    });
});
