// The csp extension's entry point: starts the language server
// (`<csp.pythonPath> -m csp lsp`, speaking LSP over stdio) through
// vscode-languageclient and registers the run commands.
//
// Invariants:
// - At most one language client runs; changing csp.pythonPath (or the
//   enable switch) stops it and starts a new one.
// - The run commands save the file first and run csp as a VS Code task, so
//   the output appears in a terminal and the exit code is known (the
//   timeline command opens out.html only after a successful run).
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function pythonPath(): string {
  const configured = vscode.workspace.getConfiguration("csp").get<string>("pythonPath");
  return configured && configured.trim() !== "" ? configured.trim() : "python3";
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const enabled = vscode.workspace
    .getConfiguration("csp")
    .get<boolean>("languageServer.enabled", true);
  if (!enabled) {
    return;
  }
  const serverOptions: ServerOptions = {
    command: pythonPath(),
    args: ["-m", "csp", "lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "csp" },
      { scheme: "untitled", language: "csp" },
    ],
    outputChannelName: "CSP Language Server",
  };
  client = new LanguageClient("csp", "CSP Language Server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(
      `CSP: could not start the language server with "${pythonPath()} -m csp lsp" ` +
        `(${message}). Set csp.pythonPath to a Python that has csp installed.`
    );
    client = undefined;
  }
  context.subscriptions.push({ dispose: () => void stopClient() });
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // The server may already be gone; nothing left to clean up.
    }
  }
}

/** Quote one argument for the shell the task runs in. */
function quote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) {
    return arg;
  }
  return process.platform === "win32"
    ? `"${arg.replace(/"/g, '""')}"`
    : `'${arg.replace(/'/g, `'\\''`)}'`;
}

async function activeCspFile(): Promise<vscode.Uri | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "csp") {
    void vscode.window.showWarningMessage("CSP: open a .csp file first.");
    return undefined;
  }
  if (editor.document.isUntitled) {
    void vscode.window.showWarningMessage("CSP: save the file before running it.");
    return undefined;
  }
  if (editor.document.isDirty) {
    await editor.document.save();
  }
  return editor.document.uri;
}

/** Run `csp run <extra> FILE` in a terminal; resolves with the exit code. */
async function runCsp(title: string, extra: string[]): Promise<number | undefined> {
  const file = await activeCspFile();
  if (!file) {
    return undefined;
  }
  const cwd = path.dirname(file.fsPath);
  const args = [pythonPath(), "-m", "csp", "run", ...extra, path.basename(file.fsPath)];
  const task = new vscode.Task(
    { type: "csp", command: title },
    vscode.TaskScope.Workspace,
    title,
    "csp",
    new vscode.ShellExecution(args.map(quote).join(" "), { cwd })
  );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    panel: vscode.TaskPanelKind.Dedicated,
    clear: true,
  };
  const execution = await vscode.tasks.executeTask(task);
  return new Promise((resolve) => {
    const listener = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution === execution) {
        listener.dispose();
        resolve(e.exitCode);
      }
    });
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("csp.run", () => runCsp("csp run", [])),
    vscode.commands.registerCommand("csp.runRace", () => runCsp("csp run -race", ["-race"])),
    vscode.commands.registerCommand("csp.openTimeline", async () => {
      const file = vscode.window.activeTextEditor?.document.uri;
      const started = Date.now();
      const code = await runCsp("csp run --timeline", ["--timeline", "out.html"]);
      if (code === undefined || !file) {
        return;
      }
      // A program that deadlocks or panics still leaves a timeline worth
      // seeing, so open it whenever this run wrote it.
      const html = path.join(path.dirname(file.fsPath), "out.html");
      if (fs.existsSync(html) && fs.statSync(html).mtimeMs >= started - 1000) {
        await vscode.env.openExternal(vscode.Uri.file(html));
      } else {
        void vscode.window.showWarningMessage(
          `CSP: no timeline was written (csp exited with status ${code}).`
        );
      }
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("csp.pythonPath") || e.affectsConfiguration("csp.languageServer")) {
        await stopClient();
        await startClient(context);
      }
    })
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
