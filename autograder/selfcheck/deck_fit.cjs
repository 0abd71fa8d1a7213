// deck_fit.cjs - opens rendered Marp decks in headless Chromium and reports every
// slide whose content does not fit, every image that did not load and every
// console error. Used by check.sh's decks_fit (autograder/selfcheck/deck_checks.sh).
//
// Usage: node deck_fit.cjs [--shot DECK:HEADING:PNG]... [--shots DIR] SHOWN BARE
//
//   SHOWN  a folder of decks rendered as presented (marp --html): each page is
//          loaded and must log no error and load every image
//   BARE   the same decks rendered with --template bare (every slide laid out
//          at once): each slide is measured as well
//   --shot     saves a PNG of the first slide of DECK whose heading starts with HEADING
//   --shots    saves a PNG of every slide, DIR/DECK-NN.png
//
// A slide overflows when its section scrolls (scrollHeight > clientHeight, or in
// width), when a descendant's box reaches outside the section's box, or when an
// element that clips (a code block) hides part of its content.
// Prints one line per deck, then one per problem; exits 1 when there is one.
'use strict';

const fs = require('fs');
const path = require('path');
const slides = path.resolve(__dirname, '../../slides');
const puppeteer = require(require.resolve('puppeteer-core', { paths: [slides] }));

const SLIDE = 'svg[data-marpit-svg] > foreignObject > section';

function usage() {
	console.error('usage: node deck_fit.cjs [--shot DECK:HEADING:PNG]... [--shots DIR] SHOWN BARE');
	process.exit(2);
}

function parseArgs(argv) {
	const args = { shots: [], allShots: null, dirs: [] };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--shot' && i + 1 < argv.length) {
			const [deck, heading, png] = argv[++i].split(':');
			if (!png)
				usage();
			args.shots.push({ deck, heading, png });
		} else if (argv[i] === '--shots' && i + 1 < argv.length) {
			args.allShots = argv[++i];
		} else {
			args.dirs.push(argv[i]);
		}
	}
	if (args.dirs.length !== 2)
		usage();
	return args;
}

// open PAGE at FILE, collecting its console errors and failed loads into PROBLEMS.
async function open(page, file, problems) {
	page.on('console', (msg) => {
		if (msg.type() === 'error')
			problems.push(`console error: ${msg.text()}`);
	});
	page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
	page.on('requestfailed', (req) =>
		problems.push(`could not load ${req.url()}: ${req.failure().errorText}`));
	await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
	await page.evaluate(() => document.fonts.ready);
}

// Runs in the page: for each slide, its heading and what does not fit.
function measure(selector) {
	const describe = (el) => {
		const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
		return `<${el.tagName.toLowerCase()}>` + (text ? ` "${text}"` : '');
	};
	return [...document.querySelectorAll(selector)].map((section) => {
		const heading = section.querySelector('h1, h2, h3, h4, h5, h6');
		const box = section.getBoundingClientRect();
		const scale = box.width / section.offsetWidth;
		const found = [];
		if (section.scrollHeight > section.clientHeight + 1)
			found.push(`content is ${section.scrollHeight - section.clientHeight} px taller than the slide`);
		if (section.scrollWidth > section.clientWidth + 1)
			found.push(`content is ${section.scrollWidth - section.clientWidth} px wider than the slide`);
		for (const el of section.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 && r.height === 0)
				continue;
			const out = Math.max(r.bottom - box.bottom, r.right - box.right,
				box.top - r.top, box.left - r.left) / scale;
			if (out > 1) {
				found.push(`${describe(el)} reaches ${Math.round(out)} px outside the slide`);
				break;	/* its descendants are outside too: the first says enough */
			}
		}
		for (const el of section.querySelectorAll('*')) {
			const style = getComputedStyle(el);
			const clipsX = style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1;
			const clipsY = style.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1;
			if (el.clientHeight > 0 && (clipsX || clipsY))
				found.push(`${describe(el)} hides part of its content (too ${clipsX ? 'wide' : 'tall'})`);
		}
		for (const img of section.querySelectorAll('img'))
			if (!img.complete || img.naturalWidth === 0)
				found.push(`image ${img.getAttribute('src')} did not load`);
		return { heading: heading ? heading.textContent.trim() : '(no heading)', found };
	});
}

async function checkDeck(browser, args, name) {
	const problems = [];
	const shown = await browser.newPage();
	await open(shown, path.join(args.dirs[0], name + '.html'), problems);
	await shown.close();

	const bare = await browser.newPage();
	await bare.setViewport({ width: 1280, height: 720 });
	await open(bare, path.join(args.dirs[1], name + '.html'), problems);
	const report = await bare.evaluate(measure, SLIDE);
	const lines = [...new Set(problems)].map((p) => `${name}: ${p}`);
	report.forEach((slide, i) => {
		for (const what of slide.found)
			lines.push(`${name} slide ${i + 1} "${slide.heading}": ${what}`);
	});

	const svgs = await bare.$$('svg[data-marpit-svg]');
	for (const shot of args.shots.filter((s) => s.deck === name)) {
		const i = report.findIndex((s) => s.heading.startsWith(shot.heading));
		if (i < 0) {
			lines.push(`${name}: no slide whose heading starts with "${shot.heading}" to screenshot`);
			continue;
		}
		await svgs[i].screenshot({ path: shot.png });
		console.log(`${name} slide ${i + 1} "${report[i].heading}": screenshot ${shot.png}`);
	}
	if (args.allShots) {
		for (let i = 0; i < svgs.length; i++) {
			const png = path.join(args.allShots, `${name}-${String(i + 1).padStart(2, '0')}.png`);
			await svgs[i].screenshot({ path: png });
		}
	}
	await bare.close();
	console.log(`${name}: ${report.length} slides, ${lines.length} problem(s)`);
	return lines;
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const names = fs.readdirSync(args.dirs[0]).filter((f) => f.endsWith('.html'))
		.map((f) => f.slice(0, -5)).sort();
	if (names.length === 0) {
		console.error(`deck_fit: no decks (*.html) in ${args.dirs[0]}`);
		process.exit(2);
	}
	const browser = await puppeteer.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: process.getuid() === 0 ? ['--no-sandbox'] : [],
	});
	let problems = [];
	try {
		for (const name of names)
			problems = problems.concat(await checkDeck(browser, args, name));
	} finally {
		await browser.close();
	}
	for (const line of problems)
		console.log(line);
	process.exit(problems.length ? 1 : 0);
}

main().catch((err) => {
	console.error(`deck_fit: ${err.stack || err}`);
	process.exit(2);
});
