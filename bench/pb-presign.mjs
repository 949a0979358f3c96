import aws4 from 'aws4';
const [method, path] = process.argv.slice(2);
const o = aws4.sign({ host: '127.0.0.1:17480', path, method, service: 's3', region: 'us-east-1', signQuery: true }, { accessKeyId: 'testaccesskey', secretAccessKey: 'testsecretkey' });
console.log(`http://127.0.0.1:17480${o.path}`);
