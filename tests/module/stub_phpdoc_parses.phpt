--TEST--
The stub's doc tags parse with PHPStan's own PHPDoc parser (Debian's php-phpstan-phpdoc-parser): every @param, @return, @phpstan-*, @template and @throws is valid, so analysers see the array shapes and generics (a misspelt option key is then caught before run time)
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$autoload = '/usr/share/php/PHPStan/PhpDocParser/autoload.php';
is_file($autoload) or throw new RuntimeException("$autoload is missing: apt-get install php-phpstan-phpdoc-parser (scripts/setup.sh does)");
require $autoload;

use PHPStan\PhpDocParser\Ast\PhpDoc\InvalidTagValueNode;
use PHPStan\PhpDocParser\Ast\Type\ArrayShapeNode;
use PHPStan\PhpDocParser\Lexer\Lexer;
use PHPStan\PhpDocParser\Parser\ConstExprParser;
use PHPStan\PhpDocParser\Parser\PhpDocParser;
use PHPStan\PhpDocParser\Parser\TokenIterator;
use PHPStan\PhpDocParser\Parser\TypeParser;

$lexer = new Lexer();
$constants = new ConstExprParser();
$parser = new PhpDocParser(new TypeParser($constants), $constants);

preg_match_all('#/\*\*.*?\*/#s', file_get_contents(__DIR__ . '/../../stubs/paylock.stub.php'), $m);
$counts = [];
$invalid = [];
$shapes = [];
foreach ($m[0] as $comment) {
	$doc = $parser->parse(new TokenIterator($lexer->tokenize($comment)));
	foreach ($doc->getTags() as $tag) {
		if (!preg_match('/^@(param|return|throws|template|phpstan-param|phpstan-return)$/', $tag->name)) {
			continue;
		}
		$counts[$tag->name] = ($counts[$tag->name] ?? 0) + 1;
		if ($tag->value instanceof InvalidTagValueNode) {
			$invalid[] = "$tag->name $tag->value: " . $tag->value->exception->getMessage();
		} elseif (isset($tag->value->type) && str_contains((string)$tag->value->type, 'array{')) {
			$shapes[] = $tag->value->type;
		}
	}
}
ksort($counts);
echo 'doc comments: ', count($m[0]) > 40 ? 'over 40' : count($m[0]), "\n";
foreach ($counts as $tag => $n) {
	echo "$tag: ", $n > 0 ? 'present' : 'none', "\n";
}
echo 'invalid tags: ', $invalid === [] ? 'none' : "\n  " . implode("\n  ", $invalid), "\n";
$parsedShapes = 0;
foreach ($shapes as $t) {
	$node = $t instanceof ArrayShapeNode ? $t : null;
	foreach ($t->types ?? [] as $u) { // holder()'s shape|null
		$node ??= $u instanceof ArrayShapeNode ? $u : null;
	}
	foreach ($t->genericTypes ?? [] as $u) { // Admin::queue()'s list<shape>
		$node ??= $u instanceof ArrayShapeNode ? $u : null;
	}
	$parsedShapes += $node !== null && count($node->items) > 0;
}
echo 'array shapes parsed with their keys: ', $parsedShapes, ' of ', count($shapes), "\n";
?>
--EXPECT--
doc comments: over 40
@param: present
@phpstan-param: present
@phpstan-return: present
@return: present
@template: present
@throws: present
invalid tags: none
array shapes parsed with their keys: 9 of 9
