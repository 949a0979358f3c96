/** The console's entry point: its stylesheet (bundled to console.css) and the app, mounted (a module script runs once the page is parsed). */
import './console.css';
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) render(<App />, root);
