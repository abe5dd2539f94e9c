export { playerModule, type PlayerModuleOptions } from './player-module.js';
export { playerPageHtml, PLAYER_JS, type PlayerPageConfig } from './player-page.js';
