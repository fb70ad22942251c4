// Starting the real gateway and fake nodes for the npm tests. Needs MAESTRO_BIN_DIR (the build's
// bin/ directory, with model-maestro and fake-upstream).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const binDir = process.env.MAESTRO_BIN_DIR;
if (!binDir)
    throw new Error('MAESTRO_BIN_DIR must point at the build\'s bin/ directory');

export const ADMIN_TOKEN = 'npm-test-admin-token';

export class Harness {
    constructor(prefix) {
        this.prefix = prefix;
        this.children = [];
        this.dirs = [];
        this.gateway = null; // http://127.0.0.1:PORT
    }

    tempDir(label) {
        const dir = mkdtempSync(join(tmpdir(), `${this.prefix}-${label}-`));
        this.dirs.push(dir);
        return dir;
    }

    // Starts a program and resolves with the URL from its ready line.
    startProcess(program, args, env, readyPattern) {
        return new Promise((resolve, reject) => {
            const child = spawn(program, args, {
                env: { ...process.env, ...env },
                stdio: ['ignore', 'pipe', 'pipe'],
            });
            this.children.push(child);
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

    // A fake node; `options` are extra command line arguments. Resolves with its base URL.
    startNode(dialect, models, options = []) {
        return this.startProcess(join(binDir, 'fake-upstream'), [
            '--dialect', dialect, '--listen', '127.0.0.1:0', '--models', models.join(','), ...options,
        ], {}, /^fake-upstream listening on (http:\/\/\S+)$/);
    }

    // `extraArgs`: more of the command line (--tls-cert and --tls-key: it serves https://).
    async startGateway(extraArgs = []) {
        this.gateway = await this.startProcess(join(binDir, 'model-maestro'), [
            '--headless', '--listen', '127.0.0.1:0', '--data-dir', this.tempDir('data'), ...extraArgs,
        ], { MAESTRO_ADMIN_TOKEN: ADMIN_TOKEN, QT_QPA_PLATFORM: 'offscreen' },
        /^Model Maestro listening on (https?:\/\/\S+)$/);
        return this.gateway;
    }

    async admin(method, path, body) {
        const response = await fetch(this.gateway + path, {
            method,
            headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
        return text ? JSON.parse(text) : null;
    }

    async addNode(name, baseUrl, nodeType) {
        const node = await this.admin('POST', '/admin/nodes', { name, base_url: baseUrl, node_type: nodeType });
        assert.ok(node.id, JSON.stringify(node));
        await this.admin('POST', `/admin/nodes/${node.id}/sync-models`);
        return node.id;
    }

    async map(displayName, realName) {
        await this.admin('POST', '/admin/model-mappings', { display_name: displayName, real_name: realName });
    }

    // A user allowed every model; resolves with the user's token.
    async userWithAllModels(username) {
        const user = await this.admin('POST', '/admin/users', { username });
        assert.ok(user.token);
        await this.admin('POST', `/admin/users/${username}/models/all`);
        return user.token;
    }

    async requestLogs(username) {
        return (await this.admin('GET', `/admin/request-logs?username=${encodeURIComponent(username)}&limit=100`)).logs;
    }

    async stop() {
        await Promise.all(this.children.map(stopProcess));
        for (const dir of this.dirs)
            rmSync(dir, { recursive: true, force: true });
    }
}

export function stopProcess(child) {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null)
            return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 7000);
        child.once('exit', () => { clearTimeout(timer); resolve(); });
        child.kill('SIGTERM');
    });
}

// What a fake node recorded: GET /__requests (every request) and GET /__last (the last body).
export async function nodeRequests(nodeUrl) {
    return (await fetch(`${nodeUrl}/__requests`)).json();
}

export async function lastNodeRequest(nodeUrl) {
    return (await fetch(`${nodeUrl}/__last`)).json();
}
