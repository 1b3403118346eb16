<?xml version="1.0" encoding="utf-8"?>
<!-- An Atom feed shown as a page in browsers that still run XSLT (Firefox, Safari): what a feed is,
     its address to paste into a feed reader, and the latest entries. Chromium no longer runs XSLT;
     the site links each feed's own page (portal/core/feeds.py), so this is a courtesy for visitors
     who open the .atom address directly. The stylesheet path is the unhashed copy collectstatic keeps. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/> (Atom feed)</title>
        <link rel="stylesheet" href="/static/core/site.css"/>
      </head>
      <body>
        <main id="main">
          <h1><xsl:value-of select="atom:title"/></h1>
          <p><xsl:value-of select="atom:subtitle"/></p>
          <p>This is an <strong>Atom feed</strong>: a feed reader checks it for you and shows each new entry. To follow it,
            paste this address into your reader: <code><xsl:value-of select="atom:link[@rel='self']/@href"/></code></p>
          <p>
            <xsl:if test="atom:link[@rel='related']">
              <a href="{atom:link[@rel='related']/@href}">About this feed, and how to get the same news by e-mail</a> ·
            </xsl:if>
            <a href="{atom:link[@rel='alternate']/@href}">The same on the site</a>
          </p>
          <h2>Latest entries</h2>
          <ul>
            <xsl:for-each select="atom:entry">
              <li>
                <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
                <span class="muted"> · <xsl:value-of select="substring(atom:updated, 1, 10)"/></span>
              </li>
            </xsl:for-each>
          </ul>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
