// The real Claude Code CLI (@anthropic-ai/claude-code, node_modules/.bin/claude) in print mode
// against Model Maestro, with its models on fake nodes of both dialects. Run with `node --test`;
// needs MAESTRO_BIN_DIR. Claude Code reaches nothing but the gateway: nonessential traffic,
// telemetry and the auto-updater are off and HOME is a fresh directory.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Harness, nodeRequests } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLAUDE = join(here, 'node_modules', '.bin', 'claude');
const RUN_TIMEOUT_MS = 120000;

const TEXT = {
    ollama: 'Maestro relayed this from the Ollama node: amber-falcon-17',
    openai: 'Maestro relayed this from the OpenAI node: cobalt-heron-42',
    tool: 'The tool round trip is complete: maestro-final-93',
    small: 'Small model reply',
};
const TOOL_MARKER = 'maestro-tool-ok';

const harness = new Harness('maestro-claude-code');
const nodes = {}; // name -> base URL
let userToken;

// Runs `claude` with the gateway as its API; resolves with { code, signal, stdout, stderr }.
function runClaude(args, model, cwd) {
    const home = harness.tempDir('home');
    const env = {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        ANTHROPIC_BASE_URL: harness.gateway,
        ANTHROPIC_AUTH_TOKEN: userToken,
        ANTHROPIC_MODEL: model,
        ANTHROPIC_SMALL_FAST_MODEL: 'claude-haiku-4-5',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku-4-5',
        ANTHROPIC_DEFAULT_SONNET_MODEL: model,
        ANTHROPIC_DEFAULT_OPUS_MODEL: model,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_ERROR_REPORTING: '1',
        CI: '1',
    };
    delete env.ANTHROPIC_API_KEY;
    return new Promise((resolve) => {
        const child = spawn(CLAUDE, args, { cwd: cwd ?? home, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => { stdout += chunk; });
        child.stderr.on('data', (chunk) => { stderr += chunk; });
        const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, stdout, stderr });
        });
    });
}

function describeRun(run) {
    return `exit ${run.code} (signal ${run.signal})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}

before(async () => {
    assert.ok(existsSync(CLAUDE), `${CLAUDE} is missing: run npm ci in tests/npm`);
    nodes.ollama = await harness.startNode('ollama', ['llama3:latest'], ['--text', TEXT.ollama]);
    nodes.openai = await harness.startNode('openai', ['gpt-4o-mini'], ['--text', TEXT.openai]);
    nodes.small = await harness.startNode('openai', ['small-model'], ['--text', TEXT.small]);
    const toolArgs = JSON.stringify({ command: `echo ${TOOL_MARKER}`, description: 'Print a marker' });
    for (const dialect of ['ollama', 'openai']) {
        nodes[`tool-${dialect}`] = await harness.startNode(
            dialect, [dialect === 'ollama' ? 'tool-llama:latest' : 'tool-gpt'],
            ['--tool-call', 'Bash', '--tool-args', toolArgs, '--tool-call-until-result', '--text', TEXT.tool]);
    }
    await harness.startGateway();
    await harness.addNode('ollama', nodes.ollama, 'ollama');
    await harness.addNode('openai', nodes.openai, 'openai');
    await harness.addNode('small', nodes.small, 'openai');
    await harness.addNode('tool-ollama', nodes['tool-ollama'], 'ollama');
    await harness.addNode('tool-openai', nodes['tool-openai'], 'openai');
    await harness.map('claude-sonnet-4-5', 'llama3:latest');
    await harness.map('claude-on-openai', 'gpt-4o-mini');
    await harness.map('claude-haiku-4-5', 'small-model');
    await harness.map('claude-tools-ollama', 'tool-llama:latest');
    await harness.map('claude-tools-openai', 'tool-gpt');
    userToken = await harness.userWithAllModels('claude-code-user');
});

after(() => harness.stop());

describe('Claude Code in print mode through the gateway', () => {
    for (const [dialect, model] of [['ollama', 'claude-sonnet-4-5'], ['openai', 'claude-on-openai']]) {
        test(`claude -p prints the answer of a model on an ${dialect}-dialect node`, async () => {
            const run = await runClaude(['-p', 'say hello'], model);
            assert.equal(run.code, 0, describeRun(run));
            assert.ok(run.stdout.includes(TEXT[dialect]), describeRun(run));
            console.log(`claude printed: ${run.stdout.trim()}`);

            const logs = (await harness.requestLogs('claude-code-user')).filter((log) => log.model_name === model);
            assert.ok(logs.length >= 1, 'no request for the model was logged');
            for (const log of logs)
                assert.equal(log.status_code, 200, JSON.stringify(log));
            assert.ok(logs.some((log) => log.endpoint === '/v1/messages' && log.completion_tokens > 0),
                      JSON.stringify(logs));
        });
    }

    for (const dialect of ['ollama', 'openai']) {
        test(`a Bash tool round trip on an ${dialect}-dialect node: the result reaches the node, the final text is printed`,
             async () => {
            const workDir = harness.tempDir('work');
            const run = await runClaude(['-p', 'Run the marker command, then tell me what it printed.',
                                         '--allowedTools', 'Bash', '--max-turns', '4'],
                                        `claude-tools-${dialect}`, workDir);
            assert.equal(run.code, 0, describeRun(run));
            assert.ok(run.stdout.includes(TEXT.tool), describeRun(run));
            console.log(`claude printed: ${run.stdout.trim()}`);

            const requests = (await nodeRequests(nodes[`tool-${dialect}`])).filter((r) => r.method === 'POST');
            assert.ok(requests.length >= 2, `the tool node saw ${requests.length} chat requests`);
            const first = requests[0].body;
            assert.ok(first.tools?.some((tool) => tool.function?.name === 'Bash'),
                      'Claude Code\'s Bash tool did not reach the node');
            const followUp = requests.find((r) => r.body.messages?.some((m) => m.role === 'tool'));
            assert.ok(followUp, `no request carried a tool result: ${JSON.stringify(requests.map((r) => r.body.messages))}`);
            const toolMessage = followUp.body.messages.find((m) => m.role === 'tool');
            const content = typeof toolMessage.content === 'string' ? toolMessage.content : JSON.stringify(toolMessage.content);
            // The command's output, not a refusal that quotes the command.
            assert.equal(content.trim(), TOOL_MARKER, `the tool result was: ${content}`);
            const call = followUp.body.messages.find((m) => m.role === 'assistant' && m.tool_calls?.length);
            assert.equal(call?.tool_calls[0].function.name, 'Bash');
        });
    }
});
