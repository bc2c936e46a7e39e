// The Hashwork dashboard: a hash-routed page over the indexer's REST API (`/api/...`), charts by
// Chart.js. It polls `/status` and re-renders the current view whenever a new block is indexed,
// so the page follows the chain without a reload.
const view = document.getElementById("view");
const TOKEN = 10n ** 18n;
const charts = [];

const api = async (path) => {
  const r = await fetch(path);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `${r.status}`);
  return body;
};
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A token amount (decimal string of base units) with up to 4 decimals. */
const tokens = (v) => {
  if (v === null || v === undefined) return "–";
  const n = BigInt(v);
  const neg = n < 0n;
  const a = neg ? -n : n;
  const frac = (a % TOKEN).toString().padStart(18, "0").slice(0, 4).replace(/0+$/, "");
  return `${neg ? "-" : ""}${(a / TOKEN).toLocaleString("en")}${frac ? "." + frac : ""}`;
};
const toNumber = (v) => Number((BigInt(v ?? 0) * 10000n) / TOKEN) / 10000;
const short = (h) => (h ? `${h.slice(0, 8)}…${h.slice(-6)}` : "–");
const time = (t) => (t ? new Date(Number(t) * 1000).toISOString().replace("T", " ").slice(0, 19) : "–");
const day = (t) => new Date(Number(t) * 1000).toISOString().slice(0, 10);
const card = (label, value, attrs = "") =>
  `<div class="card" ${attrs}><div class="label">${esc(label)}</div><div class="value">${value}</div></div>`;
const table = (head, rows) =>
  `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("") || `<tr><td colspan="${head.length}" class="muted">none</td></tr>`}</tbody></table></div>`;
const jobLink = (id) => `<a href="#/jobs/${esc(id)}" class="mono">${esc(short("0x" + BigInt(id).toString(16)))}</a>`;
const addrLink = (a) => (a ? `<a href="#/providers/${esc(a)}" class="mono">${esc(short(a))}</a>` : "–");

function chart(id, config) {
  const canvas = document.getElementById(id);
  if (!canvas) return;
  charts.push(
    new window.Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } }),
  );
}

// ------------------------------------------------------------------ views

async function overview() {
  const [o, s, history] = await Promise.all([api("/api/overview"), api("/api/solvency"), api("/api/solvency/history")]);
  const p = o.protocol ?? {};
  const badge =
    s.solvent && s.matchesChain
      ? `<span class="badge ok" id="solvency-badge">Solvent</span>`
      : `<span class="badge bad" id="solvency-badge">${s.solvent ? "Mismatch" : "Insolvent"}</span>`;
  const observed = p.jobsSubmitted ? ((100 * p.auditsOpened) / p.jobsSubmitted).toFixed(1) : "0.0";
  const states = Object.entries(o.jobsByState);
  view.innerHTML = `
    <h1>Overview ${badge}</h1>
    <div class="cards">
      ${card("Tokens held", tokens(s.held), 'id="held"')}
      ${card("Tokens owed", tokens(s.owed), 'id="owed"')}
      ${card("On chain (eth_call)", `${tokens(s.onchain.balance)} / ${tokens(s.onchain.totalOwed)}`)}
      ${card("Escrowed rewards", tokens(s.escrowed))}
      ${card("Jobs posted", esc(p.jobsPosted ?? 0), 'id="jobs-posted"')}
      ${card("Protocol fees", tokens(s.feesCharged), 'id="fees"')}
      ${card("Accrued fees / audit reserve", `${tokens(s.onchain.accruedFees)} / ${tokens(s.onchain.auditReserve)}`)}
      ${card("Audit rate observed / configured", `${observed}% / ${(o.auditRateBps / 100).toFixed(1)}%`)}
      ${card("Disputes", `${p.disputesOpened ?? 0} challenges, ${p.auditsOpened ?? 0} audits`)}
    </div>
    ${s.differences.length ? `<p class="badge bad">${s.differences.map(esc).join("<br>")}</p>` : ""}
    <h2>Jobs per state</h2>
    <div class="cards" id="states">${states.map(([k, v]) => card(k, v, `data-state="${esc(k)}"`)).join("")}</div>
    <div class="charts">
      <div class="chart"><canvas id="c-states"></canvas></div>
      <div class="chart"><canvas id="c-days"></canvas></div>
      <div class="chart"><canvas id="c-solvency"></canvas></div>
    </div>`;
  chart("c-states", {
    type: "bar",
    data: { labels: states.map((s) => s[0]), datasets: [{ label: "jobs", data: states.map((s) => s[1]) }] },
  });
  chart("c-days", {
    type: "bar",
    data: {
      labels: o.days.map((d) => day(d.day)),
      datasets: [
        { label: "posted", data: o.days.map((d) => d.jobsPosted) },
        { label: "finalized", data: o.days.map((d) => d.jobsFinalized) },
      ],
    },
    options: { plugins: { title: { display: true, text: "Throughput per day" } } },
  });
  chart("c-solvency", {
    type: "line",
    data: {
      labels: history.map((h) => h.blockNumber),
      datasets: [
        { label: "held", data: history.map((h) => toNumber(h.held)) },
        { label: "owed", data: history.map((h) => toNumber(h.owed)) },
      ],
    },
    options: { plugins: { title: { display: true, text: "Held vs owed by block" } } },
  });
}

async function jobs(params) {
  const q = new URLSearchParams(params);
  const search = q.get("q") ?? "";
  if (/^(0x[0-9a-fA-F]{41,64}|[0-9]{40,78})$/.test(search)) {
    location.hash = `#/jobs/${search}`;
    return;
  }
  const query = new URLSearchParams();
  if (q.get("state")) query.set("state", q.get("state"));
  if (/^0x[0-9a-fA-F]{40}$/.test(search)) query.set(q.get("as") === "provider" ? "provider" : "requester", search);
  const { total, jobs } = await api(`/api/jobs?${query}`);
  const states = ["", "Open", "Claimed", "Submitted", "Disputed", "Finalized", "Cancelled", "Expired", "TimedOut", "Overturned", "Voided"];
  view.innerHTML = `
    <h1>Jobs <span class="muted" id="jobs-total">${total}</span></h1>
    <form id="job-search">
      <input name="q" placeholder="job id, or requester / provider address" value="${esc(search)}">
      <select name="as"><option value="requester">as requester</option><option value="provider" ${q.get("as") === "provider" ? "selected" : ""}>as provider</option></select>
      <select name="state">${states.map((s) => `<option value="${s}" ${s === (q.get("state") ?? "") ? "selected" : ""}>${s || "any state"}</option>`).join("")}</select>
      <button>Search</button>
    </form>
    ${table(
      ["job", "state", "requester", "provider", "reward", "posted"],
      jobs.map(
        (j) =>
          `<tr data-job="${esc(j.id)}"><td>${jobLink(j.id)}</td><td>${esc(j.state)}</td><td class="mono">${esc(short(j.requester))}</td><td>${addrLink(j.provider)}</td><td>${tokens(j.reward)}</td><td>${time(j.postedAt)}</td></tr>`,
      ),
    )}`;
  document.getElementById("job-search").onsubmit = (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    location.hash = `#/jobs?${new URLSearchParams([...f.entries()].filter(([, v]) => v))}`;
  };
}

async function job(id) {
  const { job: j, timeline, dispute: d, seats, payouts } = await api(`/api/jobs/${id}`);
  // What the protocol has established about the committed result: the page cannot re-run the
  // program, so it says how the result hash stood up (unchallenged, upheld, overturned), not more.
  const standing =
    j.state === "Finalized"
      ? j.disputed
        ? "upheld by its dispute"
        : "final: unchallenged through its challenge window"
      : j.state === "Overturned"
        ? "overturned: this result lost its dispute"
        : j.state === "Submitted"
          ? "in its challenge window"
          : j.state === "Disputed"
            ? "disputed"
            : "not settled";
  // Deferred pay (a fast-path job): its pay waits in the provider's bucket until PayReleased.
  const pay =
    j.payStatus === "pending"
      ? ` <span class="muted" id="pay-status">(pending release, bucket ${esc(j.payBucket)})</span>`
      : j.payStatus === "released"
        ? ` <span class="muted" id="pay-status">(released with its bucket)</span>`
        : "";
  const output =
    j.outputURI && j.resultHash
      ? `<a href="${esc(j.outputURI)}" rel="noopener" id="output-link">${esc(j.outputURI)}</a> <span class="muted" id="output-standing">(result hash ${esc(short(j.resultHash))}: ${esc(standing)})</span>`
      : "–";
  view.innerHTML = `
    <h1>Job <span class="mono">${esc(short("0x" + BigInt(j.id).toString(16)))}</span> <span id="job-state">${esc(j.state)}</span></h1>
    <div class="cards">
      ${card("Reward", tokens(j.reward))}
      ${card("Requester", `<span class="mono">${esc(short(j.requester))}</span>`)}
      ${card("Provider", addrLink(j.provider))}
      ${card("Payout / fee", `${tokens(j.providerPayout)} / ${tokens(j.protocolFee)}${pay}`, 'id="job-pay"')}
      ${card("Fuel limit", esc(j.fuelLimit))}
    </div>
    <h2>Output</h2><p>${output}</p>
    <h2>Timeline</h2>
    ${table(
      ["when", "contract", "event", "block"],
      timeline.map(
        (e) =>
          `<tr class="timeline-row"><td>${time(e.timestamp)}</td><td>${esc(e.contract)}</td><td>${esc(e.name)}</td><td>${esc(e.blockNumber)}</td></tr>`,
      ),
    )}
    ${
      d
        ? `
    <h2>Dispute: ${esc(d.phase)} ${d.isAudit ? "(random audit)" : `(challenged by <span class="mono">${esc(short(d.challenger))}</span>)`}</h2>
    <p>${d.phase === "Resolved" ? (d.providerRight ? "The provider was right." : "The provider was wrong.") : ""} Bond ${tokens(d.bond)}.</p>
    <h2>Committee</h2>
    ${table(
      ["round", "verifier", "votes", "commitment", "revealed", "slashed"],
      seats.map(
        (s) =>
          `<tr class="seat"><td>${s.round}</td><td class="mono">${esc(short(s.verifier))}</td><td>${s.votes}</td><td class="mono">${esc(short(s.commitment))}</td><td class="mono">${s.revealedHash === d.providerHash ? "provider's hash" : s.revealedHash === d.challengerHash ? "challenger's hash" : esc(short(s.revealedHash))}</td><td>${tokens(s.slashed)}</td></tr>`,
      ),
    )}
    <h2>Payouts</h2>
    ${table(
      ["to", "role", "amount"],
      payouts.map(
        (p) => `<tr class="payout"><td class="mono">${esc(short(p.to))}</td><td>${esc(p.role)}</td><td>${tokens(p.amount)}</td></tr>`,
      ),
    )}`
        : ""
    }`;
}

async function disputes() {
  const rows = await api("/api/disputes");
  view.innerHTML = `<h1>Disputes</h1>${table(
    ["job", "kind", "phase", "provider", "bond", "outcome", "opened"],
    rows.map(
      (d) =>
        `<tr><td>${jobLink(d.jobId)}</td><td>${d.isAudit ? "audit" : "challenge"}</td><td>${esc(d.phase)}</td><td>${addrLink(d.provider)}</td><td>${tokens(d.bond)}</td><td>${d.phase === "Resolved" ? (d.providerRight ? "provider right" : "provider wrong") : "–"}</td><td>${time(d.openedAt)}</td></tr>`,
    ),
  )}`;
}

async function providers() {
  const rows = await api("/api/providers");
  view.innerHTML = `<h1>Providers</h1>${table(
    ["provider", "stake", "locked", "jobs done", "earned", "slashed", "disputes lost"],
    rows.map(
      (p) =>
        `<tr data-provider="${esc(p.address)}"><td>${addrLink(p.address)}</td><td>${tokens(p.staked)}</td><td>${tokens(p.locked)}</td><td>${p.jobsDone}</td><td>${tokens(p.earned)}</td><td>${tokens(p.slashed)}</td><td>${esc(p.disputesLost)}</td></tr>`,
    ),
  )}`;
}

async function provider(address) {
  const { provider: p, pendingPay, days, reputation, recentJobs } = await api(`/api/providers/${address}`);
  view.innerHTML = `
    <h1>Provider <span class="mono">${esc(short(p.address))}</span></h1>
    <div class="cards">
      ${card("Stake", tokens(p.staked), 'id="stake"')}
      ${card("Locked", tokens(p.locked), 'id="locked"')}
      ${card("Unbonding", tokens(p.unbonding))}
      ${card("Jobs done", p.jobsDone, 'id="jobs-done"')}
      ${card("Earned", tokens(p.earned), 'id="earned"')}
      ${card("Pending release", `${tokens(pendingPay.payout)} (${esc(pendingPay.jobs)} jobs)`, 'id="pending-pay"')}
      ${card("Slashed", tokens(p.slashed), 'id="slashed"')}
      ${card("Timed out / lost / won", `${p.timedOut} / ${p.disputesLost} / ${p.disputesWon}`, 'id="reputation"')}
      ${card("Endpoint", esc(p.endpoint ?? "–"))}
    </div>
    <div class="charts">
      <div class="chart"><canvas id="c-earnings"></canvas></div>
      <div class="chart"><canvas id="c-reputation"></canvas></div>
    </div>
    <h2>Recent jobs</h2>
    ${table(
      ["job", "state", "reward", "payout"],
      recentJobs.map(
        (j) => `<tr><td>${jobLink(j.id)}</td><td>${esc(j.state)}</td><td>${tokens(j.reward)}</td><td>${tokens(j.providerPayout)}</td></tr>`,
      ),
    )}`;
  chart("c-earnings", {
    type: "bar",
    data: {
      labels: days.map((d) => day(d.day)),
      datasets: [
        { label: "earned", data: days.map((d) => toNumber(d.earned)) },
        { label: "slashed", data: days.map((d) => toNumber(d.slashed)) },
      ],
    },
    options: { plugins: { title: { display: true, text: "Earnings and slashes per day" } } },
  });
  chart("c-reputation", {
    type: "line",
    data: {
      labels: reputation.map((r) => r.blockNumber),
      datasets: ["completed", "timedOut", "disputeLost", "disputeWon"]
        .map((kind) => ({
          label: kind,
          data: reputation.filter((r) => r.kind === kind).map((r) => ({ x: r.blockNumber, y: Number(r.newCount) })),
        }))
        .filter((d) => d.data.length),
    },
    options: { plugins: { title: { display: true, text: "Reputation changes by block" } } },
  });
}

async function governance() {
  const rows = await api("/api/governance");
  const pending = rows.filter((r) => r.status === "scheduled");
  const line = (r) =>
    `<tr class="${r.status === "scheduled" ? "pending" : ""}"><td>${esc(r.contract)}</td><td>${esc(r.kind)}</td><td>${esc(r.parameter)}</td><td class="mono">${esc(r.oldValue)}</td><td class="mono">${esc(r.newValue)}</td><td>${esc(r.status)}</td><td>${time(r.effectiveAt)}</td></tr>`;
  const head = ["contract", "change", "parameter", "from", "to", "status", "takes effect"];
  view.innerHTML = `<h1>Governance</h1><h2>Pending</h2><div id="pending">${table(head, pending.map(line))}</div><h2>History</h2>${table(head, rows.map(line))}`;
}

// ------------------------------------------------------------------ routing and live updates

async function render() {
  for (const c of charts.splice(0)) c.destroy();
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = (path || "/").split("/").filter(Boolean);
  try {
    if (parts[0] === "jobs" && parts[1]) await job(parts[1]);
    else if (parts[0] === "jobs") await jobs(query);
    else if (parts[0] === "disputes") await disputes();
    else if (parts[0] === "providers" && parts[1]) await provider(parts[1]);
    else if (parts[0] === "providers") await providers();
    else if (parts[0] === "governance") await governance();
    else await overview();
  } catch (error) {
    view.innerHTML = `<p class="badge bad">${esc(error.message)}</p>`;
  }
  document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
}

let lastBlock;
async function poll() {
  try {
    const status = await api("/status");
    const block = Object.values(status)[0]?.block.number;
    if (block !== undefined && block !== lastBlock) {
      const first = lastBlock === undefined;
      lastBlock = block;
      document.getElementById("block").textContent = `block ${block}`;
      document.body.dataset.block = String(block);
      // Re-render on a new block, unless the reader is typing in a form.
      if (!first && !document.activeElement?.closest("form")) await render();
    }
  } catch {
    // the indexer restarting: try again on the next tick
  }
  setTimeout(poll, 1000);
}

window.addEventListener("hashchange", render);
await render();
poll();
