// engine.js: the Marp engine of `make slides`: Marp as it is, plus one markdown-it
// plugin that turns each picture beside the deck (![...](name.svg)) into a data: URI,
// so the rendered HTML holds its pictures and needs no file or network beside it.
'use strict'
const fs = require('fs')
const path = require('path')

const DATA_SVG = 'data:image/svg+xml;base64,'

function inlineSvg(md) {
  const normalizeLink = md.normalizeLink.bind(md)
  const validateLink = md.validateLink.bind(md)

  md.normalizeLink = (url) =>
    /^[\w.-]+\.svg$/.test(url)
      ? DATA_SVG + fs.readFileSync(path.join(__dirname, url)).toString('base64')
      : normalizeLink(url)
  // markdown-it lets through data: images of a few bitmap types only; add ours.
  md.validateLink = (url) => url.startsWith(DATA_SVG) || validateLink(url)
}

module.exports = ({ marp }) => marp.use(inlineSvg)
